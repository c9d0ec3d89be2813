//go:build js

package view

import (
	"syscall/js"

	"honnef.co/go/js/dom/v2"
)

// The page's one way to make DOM: elements from tag names, attributes
// through setAttribute and text through textContent or text nodes. Nothing
// in this package parses HTML, so a string from an image (a label, a path, a
// history line) can never become markup: it is text by construction.

// elem creates an element with attributes given as name, value pairs.
func elem(tag string, attrs ...string) dom.HTMLElement {
	e := dom.GetWindow().Document().CreateElement(tag).(dom.HTMLElement)
	for i := 0; i+1 < len(attrs); i += 2 {
		e.SetAttribute(attrs[i], attrs[i+1])
	}
	return e
}

// textEl creates an element holding the text s.
func textEl(tag, s string, attrs ...string) dom.HTMLElement {
	e := elem(tag, attrs...)
	e.SetTextContent(s)
	return e
}

// span is textEl("span", s, "class", class).
func span(class, s string) dom.HTMLElement {
	if class == "" {
		return textEl("span", s)
	}
	return textEl("span", s, "class", class)
}

// textNode is a DOM text node holding s.
func textNode(s string) dom.Node {
	return dom.GetWindow().Document().CreateTextNode(s)
}

// add appends children (elements or text nodes) to parent and returns it.
func add(parent dom.Element, kids ...dom.Node) dom.Element {
	for _, k := range kids {
		if k != nil {
			parent.AppendChild(k)
		}
	}
	return parent
}

// addText appends text nodes, one per string.
func addText(parent dom.Element, ss ...string) {
	for _, s := range ss {
		parent.AppendChild(textNode(s))
	}
}

// fill replaces parent's children with kids.
func fill(parent dom.Element, kids ...dom.Node) {
	parent.SetTextContent("")
	add(parent, kids...)
}

// link is an <a href="#"> that does something on the page rather than leave it.
func link(s string, attrs ...string) dom.HTMLElement {
	return textEl("a", s, append([]string{"href", "#"}, attrs...)...)
}

// button is a <button type="button">.
func button(s string, attrs ...string) dom.HTMLElement {
	return textEl("button", s, append([]string{"type", "button"}, attrs...)...)
}

// setHidden shows or hides an element.
func setHidden(e dom.Element, hidden bool) {
	e.Underlying().Set("hidden", hidden)
}

// value is a form control's value.
func value(e dom.Element) string { return e.Underlying().Get("value").String() }

// setValue sets a form control's value.
func setValue(e dom.Element, v string) { e.Underlying().Set("value", v) }

// copyText puts s on the clipboard where the browser allows it.
func copyText(s string) {
	if cb := js.Global().Get("navigator").Get("clipboard"); cb.Truthy() {
		cb.Call("writeText", s)
	}
}
