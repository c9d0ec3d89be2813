// Package msg is the protocol between the page's two halves: the engine (the
// pull pipeline, in a Web Worker) and the view (the DOM, on the main thread).
//
// Every message is an Envelope: a request id, a kind, a JSON body and, for
// file contents, raw bytes that travel as a transferable ArrayBuffer rather
// than inside the JSON. The view sends a request with a fresh id; the engine
// answers with exactly one KindResult or KindError carrying the same id, and
// may send any number of KindProgress messages with that id before it.
package msg

import (
	"encoding/json"
	"fmt"
)

// Kind names what an Envelope carries.
type Kind string

// Request kinds (view → engine) and answer kinds (engine → view).
const (
	KindPull   Kind = "pull"   // PullRequest → PullResult
	KindList   Kind = "list"   // ListRequest → ListResult
	KindStat   Kind = "stat"   // StatRequest → StatResult
	KindRead   Kind = "read"   // ReadRequest → ReadResult + Data
	KindCancel Kind = "cancel" // CancelRequest → no answer

	KindResult   Kind = "result"   // the answer to a request
	KindError    Kind = "error"    // the request failed: body is an ErrorInfo
	KindProgress Kind = "progress" // a pull's progress: body is a Progress
	KindReady    Kind = "ready"    // the engine is running (id 0, no body)
)

// Envelope is one message as it crosses postMessage: {id, kind, body, data}
// in JavaScript, with body a JSON string and data an ArrayBuffer.
type Envelope struct {
	ID   int64
	Kind Kind
	Body []byte // JSON of the kind's body type; nil when there is none
	Data []byte // raw bytes (file contents); nil when there are none
}

// New builds an envelope whose body is v encoded as JSON.
func New(id int64, kind Kind, v any) (Envelope, error) {
	e := Envelope{ID: id, Kind: kind}
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			return e, fmt.Errorf("msg: encoding %s body: %w", kind, err)
		}
		e.Body = b
	}
	return e, nil
}

// Decode decodes the envelope's body into v.
func (e Envelope) Decode(v any) error {
	if len(e.Body) == 0 {
		return fmt.Errorf("msg: %s message %d has no body", e.Kind, e.ID)
	}
	if err := json.Unmarshal(e.Body, v); err != nil {
		return fmt.Errorf("msg: decoding %s message %d: %w", e.Kind, e.ID, err)
	}
	return nil
}

// Err returns the error an envelope of KindError carries, or nil for any other kind.
func (e Envelope) Err() error {
	if e.Kind != KindError {
		return nil
	}
	var info ErrorInfo
	if err := e.Decode(&info); err != nil {
		return err
	}
	return &info
}
