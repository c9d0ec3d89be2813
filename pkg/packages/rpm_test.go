//go:build !js

package packages_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/packages"
	"github.com/regscope/regscope/pkg/pull"
)

// rpmQA formats packages as testdata/rpm/make.sh has `rpm -qa` print them.
func rpmQA(ps []packages.Package) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t", p.Name, p.Version, p.Arch, p.License)
		for _, f := range p.Files {
			b.WriteString(f + ",")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestRPMMatchesRPMQuery reads databases rpm itself wrote (one in each
// place rpm keeps it) and compares them with what rpm -qa said of them.
func TestRPMMatchesRPMQuery(t *testing.T) {
	for _, c := range []struct{ db, path string }{
		{"rpmdb-1.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite"},
		{"rpmdb-2.sqlite", "var/lib/rpm/rpmdb.sqlite"},
	} {
		ps := pulled(t, []e{{Name: c.path, Body: testdata(t, "rpm/"+c.db)}})
		qa := strings.Replace(strings.Replace(c.db, "rpmdb", "qa", 1), ".sqlite", ".txt", 1)
		if got, want := rpmQA(ps), testdata(t, "rpm/"+qa); got != want {
			t.Errorf("%s:\n%s\nrpm -qa says:\n%s", c.db, got, want)
		}
		var sources []string
		for _, p := range ps {
			sources = append(sources, p.Source+" "+p.Manager+" "+p.DB)
		}
		db := "/" + c.path
		if want := []string{"hello rpm " + db, "tool rpm " + db, "tool rpm " + db}; !reflect.DeepEqual(sources, want) {
			t.Errorf("%s: sources %q, want %q", c.db, sources, want)
		}
	}
}

// TestRPMLayer checks the layer rule on rpm's one database file: the
// layer that upgrades hello claims hello alone; a layer that writes the
// same database again, or writes other files, claims nothing.
func TestRPMLayer(t *testing.T) {
	const db = "var/lib/rpm/rpmdb.sqlite"
	v1, v2 := testdata(t, "rpm/rpmdb-1.sqlite"), testdata(t, "rpm/rpmdb-2.sqlite")
	ps := pulled(t,
		[]e{{Name: db, Body: v1}},
		[]e{{Name: db, Body: v2}},
		[]e{{Name: db, Body: v2}, {Name: "usr/bin/hello", Body: "hello"}},
	)
	want := map[string]int{"rpm hello": 1, "rpm tool": 0, "rpm tool-libs": 0}
	if got := layersOf(ps); !reflect.DeepEqual(got, want) {
		t.Errorf("layers %v, want %v", got, want)
	}
}

// TestRPMBad: a damaged database, or one with a write-ahead log not yet
// checkpointed into it, is an error naming the file and the fault.
func TestRPMBad(t *testing.T) {
	const db = "var/lib/rpm/rpmdb.sqlite"
	good := testdata(t, "rpm/rpmdb-1.sqlite")
	noPackages := strings.Replace(good, "Packages", "Xackages", -1)
	for _, c := range []struct {
		entries []e
		want    string
	}{
		{[]e{{Name: db, Body: "not sqlite"}}, `/var/lib/rpm/rpmdb.sqlite: not an SQLite 3 database (no "SQLite format 3" header)`},
		{[]e{{Name: db, Body: noPackages}}, `/var/lib/rpm/rpmdb.sqlite: no such table: "Packages"`},
		{[]e{{Name: db, Body: good}, {Name: db + "-wal", Body: "frames"}}, "/var/lib/rpm/rpmdb.sqlite-wal: 6 bytes of write-ahead log not yet in the database, which is not read"},
	} {
		host := regtest.GGCR(t)
		ref := host + "/bad/rpm:1"
		regtest.Push(t, ref, imagetest.Image(t, imagetest.OCI, imagetest.Layer(t, imagetest.Gzip, c.entries...)))
		img, err := pull.Pull(context.Background(), ref, pull.Options{Store: layers.MemStore()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = packages.Read(img.FS, []*layers.ChangeSet{img.Layers[0].Changes})
		if err == nil || err.Error() != c.want {
			t.Errorf("error %v, want %s", err, c.want)
		}
	}
}
