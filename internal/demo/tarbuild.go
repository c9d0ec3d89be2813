package demo

import (
	"archive/tar"
	"bytes"
)

// entry is one tar member of a generated layer.
type entry struct {
	name     string
	typ      byte
	mode     int64
	body     []byte
	link     string
	uid, gid int
	uname    string
	gname    string
}

func dir(name string) entry { return entry{name: name, typ: tar.TypeDir, mode: 0o755} }

func file(name string, mode int64, body []byte) entry {
	return entry{name: name, typ: tar.TypeReg, mode: mode, body: body}
}

func text(name, body string) entry { return file(name, 0o644, []byte(body)) }

func symlink(name, target string) entry {
	return entry{name: name, typ: tar.TypeSymlink, mode: 0o777, link: target}
}

func hardlink(name, target string) entry {
	return entry{name: name, typ: tar.TypeLink, mode: 0o644, link: target}
}

func fifo(name string) entry { return entry{name: name, typ: tar.TypeFifo, mode: 0o600} }

func owned(e entry, uid int, name string) entry {
	e.uid, e.gid, e.uname, e.gname = uid, uid, name, name
	return e
}

// buildTar writes entries in order with fixed timestamps and owners.
func buildTar(entries []entry) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		uname, gname := e.uname, e.gname
		if uname == "" {
			uname, gname = "root", "root"
		}
		h := &tar.Header{
			Typeflag: e.typ,
			Name:     e.name,
			Linkname: e.link,
			Mode:     e.mode,
			Uid:      e.uid,
			Gid:      e.gid,
			Uname:    uname,
			Gname:    gname,
			ModTime:  epoch(),
			Format:   tar.FormatPAX,
		}
		if e.typ == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			panic("demo: tar header " + e.name + ": " + err.Error()) // fixed inputs: a bug, not a runtime condition
		}
		if e.typ == tar.TypeReg {
			tw.Write(e.body)
		}
	}
	tw.Close()
	return buf.Bytes()
}
