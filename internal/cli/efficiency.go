package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/pkg/inspect"
)

// printEfficiency adds the content, wasted and efficiency lines of
// `regscope pull` to the summary's key/value table.
func printEfficiency(tw *tabwriter.Writer, r *inspect.Result) {
	if r == nil {
		return
	}
	fmt.Fprintf(tw, "content\t%s\n", format.Size(r.Content))
	fmt.Fprintf(tw, "wasted\t%s (%d files overwritten or deleted by later layers)\n", format.Size(r.Wasted), r.WastedFiles)
	fmt.Fprintf(tw, "efficiency\t%.1f%%\n", r.Efficiency*100)
}

// printTopWasted lists the n paths that waste the most bytes, if any.
func printTopWasted(w io.Writer, r *inspect.Result, n int) {
	if r == nil || len(r.TopWasted) == 0 {
		return
	}
	fmt.Fprintf(w, "\nwasted space (top %d)\n", min(n, len(r.TopWasted)))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WASTED\tCOUNT\tWRITTEN BY\tREMOVED BY\tPATH")
	for _, p := range r.TopWasted[:min(n, len(r.TopWasted))] {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", format.Size(p.Bytes), p.Count, layerList(p.Writers), layerList(p.Removers), display(p.Path))
	}
	tw.Flush()
}

// layerList writes layer indexes as "0,2".
func layerList(ls []int) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = fmt.Sprint(l)
	}
	return strings.Join(s, ",")
}
