package signature

import (
	"crypto/x509"
	"fmt"
	"time"
)

// COSE header labels Notation uses (RFC 9052, RFC 9360).
const (
	coseAlg         = 1
	coseX5Chain     = 33
	coseTagSign1    = 18
	notarySignedAt  = "io.cncf.notary.signingTime"
	coseSignature1  = "Signature1"
	cborTagEpochSec = 1
)

// coseAlgName maps COSE algorithm identifiers to the JWS names verifyJWS knows.
func coseAlgName(id int64) string {
	switch id {
	case -7:
		return "ES256"
	case -35:
		return "ES384"
	case -36:
		return "ES512"
	case -37:
		return "PS256"
	case -38:
		return "PS384"
	case -39:
		return "PS512"
	}
	return fmt.Sprintf("COSE algorithm %d", id)
}

// parseCOSE decodes a COSE_Sign1 envelope: [protected, unprotected,
// payload, signature], tagged 18 or not. The signature covers the
// Sig_structure ["Signature1", protected, h”, payload].
func parseCOSE(data []byte) (*envelope, error) {
	v, err := decodeCBOR(data)
	if err != nil {
		return nil, fmt.Errorf("COSE envelope: %v", err)
	}
	if t, ok := v.(cborTag); ok && t.Number == coseTagSign1 {
		v = t.Value
	}
	arr, ok := v.([]any)
	if !ok || len(arr) != 4 {
		return nil, fmt.Errorf("COSE envelope is not a COSE_Sign1 array of 4")
	}
	protected, ok1 := arr[0].([]byte)
	unprotected, ok2 := arr[1].(map[any]any)
	payload, ok3 := arr[2].([]byte)
	sig, ok4 := arr[3].([]byte)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, fmt.Errorf("COSE_Sign1 fields are not bstr, map, bstr, bstr")
	}
	hv, err := decodeCBOR(protected)
	if err != nil {
		return nil, fmt.Errorf("COSE protected header: %v", err)
	}
	hdr, ok := hv.(map[any]any)
	if !ok {
		return nil, fmt.Errorf("COSE protected header is not a map")
	}
	alg, _ := hdr[int64(coseAlg)].(int64)
	certs, err := coseCerts(unprotected[int64(coseX5Chain)])
	if err != nil {
		return nil, err
	}
	input := appendCBORHead(nil, 4, 4)
	input = appendCBORHead(input, 3, uint64(len(coseSignature1)))
	input = append(input, coseSignature1...)
	for _, b := range [][]byte{protected, nil, payload} {
		input = append(appendCBORHead(input, 2, uint64(len(b))), b...)
	}
	env := &envelope{format: "COSE", alg: coseAlgName(alg), input: input, sig: sig, certs: certs, payload: payload}
	if t, ok := hdr[notarySignedAt].(cborTag); ok && t.Number == cborTagEpochSec {
		if s, ok := t.Value.(int64); ok {
			env.signingTime = time.Unix(s, 0).UTC()
		}
	}
	return env, nil
}

// coseCerts decodes an x5chain header: one DER certificate, or an array
// of them, leaf first.
func coseCerts(v any) ([]*x509.Certificate, error) {
	var ders [][]byte
	switch c := v.(type) {
	case []byte:
		ders = [][]byte{c}
	case []any:
		for _, e := range c {
			b, ok := e.([]byte)
			if !ok {
				return nil, fmt.Errorf("COSE x5chain holds a %T, not a certificate", e)
			}
			ders = append(ders, b)
		}
	}
	if len(ders) == 0 {
		return nil, fmt.Errorf("COSE envelope has no x5chain certificate")
	}
	var certs []*x509.Certificate
	for i, der := range ders {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("COSE x5chain[%d]: %v", i, err)
		}
		certs = append(certs, cert)
	}
	return certs, nil
}
