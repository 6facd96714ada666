// pipelinegen-grpc-probe is the health check of gRPC images: it calls the standard
// grpc.health.v1.Health/Check on a cleartext (h2c) server and exits 0 only when the answer is
// SERVING. Usage: pipelinegen-grpc-probe -addr 127.0.0.1:50051 [-service NAME] [-timeout 4s]
//
// It uses only the Go standard library and builds with Go 1.19 (Debian bookworm), which has no
// cleartext HTTP/2 client, so it speaks the little HTTP/2 one unary call needs (RFC 9113):
// the client preface, SETTINGS, one HEADERS frame of HPACK literals (RFC 7541, no Huffman and
// no dynamic table), one DATA frame, then it reads frames until the response message arrives.
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

const (
	preface   = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
	checkPath = "/grpc.health.v1.Health/Check"
	serving   = 1 // grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING
	stream    = 1 // the one client-initiated stream of the call
)

// HTTP/2 frame types and flags used here.
const (
	frameData, frameHeaders, frameRSTStream, frameSettings = 0x0, 0x1, 0x3, 0x4
	framePing, frameGoAway                                 = 0x6, 0x7
	flagEndStream, flagAck, flagEndHeaders, flagPadded     = 0x1, 0x1, 0x4, 0x8
)

func main() {
	addr := flag.String("addr", "127.0.0.1:50051", "host:port of the gRPC server (cleartext)")
	service := flag.String("service", "", "service name to check; empty: the whole server")
	timeout := flag.Duration("timeout", 4*time.Second, "give up after this long")
	flag.Parse()
	status, err := check(*addr, *service, *timeout)
	if err != nil {
		fmt.Fprintf(os.Stderr, "grpc health check of %s failed: %v\n", *addr, err)
		os.Exit(1)
	}
	if status != serving {
		fmt.Fprintf(os.Stderr, "grpc health of %q at %s is %s\n", *service, *addr, statusName(status))
		os.Exit(1)
	}
}

func statusName(status uint64) string {
	names := map[uint64]string{0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}
	if name, ok := names[status]; ok {
		return name
	}
	return fmt.Sprintf("status %d", status)
}

// check makes the call and returns the ServingStatus of the response.
func check(addr, service string, timeout time.Duration) (uint64, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return 0, err
	}
	request := append([]byte(preface), frame(frameSettings, 0, 0, nil)...)
	request = append(request, frame(frameHeaders, flagEndHeaders, stream, headers(addr))...)
	request = append(request, frame(frameData, flagEndStream, stream, grpcMessage(service))...)
	if _, err := conn.Write(request); err != nil {
		return 0, err
	}
	return readResponse(conn)
}

// frame is one HTTP/2 frame: 24-bit length, type, flags, 31-bit stream id, payload.
func frame(kind, flags byte, streamID uint32, payload []byte) []byte {
	out := make([]byte, 9, 9+len(payload))
	out[0], out[1], out[2] = byte(len(payload)>>16), byte(len(payload)>>8), byte(len(payload))
	out[3], out[4] = kind, flags
	binary.BigEndian.PutUint32(out[5:9], streamID&0x7fffffff)
	return append(out, payload...)
}

// headers is the HPACK block of the request: static-table entries where they match exactly,
// else "literal header field without indexing" (RFC 7541 6.2.2) with plain strings.
func headers(authority string) []byte {
	block := []byte{0x83, 0x86}                        // :method POST, :scheme http (static table 3 and 6)
	block = literal(block, 4, "", checkPath)           // :path (name: static 4)
	block = literal(block, 1, "", authority)           // :authority (name: static 1)
	block = literal(block, 31, "", "application/grpc") // content-type (name: static 31)
	block = literal(block, 0, "te", "trailers")        // gRPC requires te: trailers
	return block
}

// literal appends one literal field; nameIndex 0 means the name follows as a string.
func literal(block []byte, nameIndex uint64, name, value string) []byte {
	block = integer(block, 0x00, 4, nameIndex)
	if nameIndex == 0 {
		block = str(block, name)
	}
	return str(block, value)
}

// str is an HPACK string literal without Huffman coding (H bit 0, 7-bit length prefix).
func str(block []byte, s string) []byte {
	return append(integer(block, 0x00, 7, uint64(len(s))), s...)
}

// integer is an HPACK integer with an n-bit prefix (RFC 7541 5.1); first holds the bits above it.
func integer(block []byte, first byte, n uint, value uint64) []byte {
	limit := uint64(1)<<n - 1
	if value < limit {
		return append(block, first|byte(value))
	}
	block = append(block, first|byte(limit))
	for value -= limit; value >= 0x80; value >>= 7 {
		block = append(block, byte(value&0x7f)|0x80)
	}
	return append(block, byte(value))
}

// grpcMessage is a length-prefixed gRPC message (uncompressed flag, 4-byte length) holding the
// protobuf HealthCheckRequest{service = 1}; an empty service is the empty message.
func grpcMessage(service string) []byte {
	var body []byte
	if service != "" {
		body = append([]byte{0x0a}, binary.AppendUvarint(nil, uint64(len(service)))...)
		body = append(body, service...)
	}
	prefix := []byte{0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(prefix[1:], uint32(len(body)))
	return append(prefix, body...)
}

// readResponse reads frames until stream 1 has delivered one whole gRPC message, answering
// the server's SETTINGS and PINGs on the way; an end of the stream before it is a failure.
func readResponse(conn net.Conn) (uint64, error) {
	var message []byte
	head := make([]byte, 9)
	for {
		if _, err := io.ReadFull(conn, head); err != nil {
			return 0, fmt.Errorf("reading a frame: %w", err)
		}
		length := int(head[0])<<16 | int(head[1])<<8 | int(head[2])
		kind, flags := head[3], head[4]
		streamID := binary.BigEndian.Uint32(head[5:9]) & 0x7fffffff
		payload := make([]byte, length)
		if _, err := io.ReadFull(conn, payload); err != nil {
			return 0, fmt.Errorf("reading a frame: %w", err)
		}
		switch {
		case kind == frameSettings && flags&flagAck == 0:
			if _, err := conn.Write(frame(frameSettings, flagAck, 0, nil)); err != nil {
				return 0, err
			}
		case kind == framePing && flags&flagAck == 0:
			if _, err := conn.Write(frame(framePing, flagAck, 0, payload)); err != nil {
				return 0, err
			}
		case kind == frameGoAway:
			return 0, errors.New("the server sent GOAWAY")
		case streamID != stream:
			// Connection-level frames (WINDOW_UPDATE, acks) need no answer.
		case kind == frameRSTStream:
			return 0, errors.New("the server reset the stream")
		case kind == frameData:
			data, err := unpad(flags, payload)
			if err != nil {
				return 0, err
			}
			message = append(message, data...)
			if len(message) >= 5 && len(message) >= 5+int(binary.BigEndian.Uint32(message[1:5])) {
				return servingStatus(message[5 : 5+binary.BigEndian.Uint32(message[1:5])])
			}
		}
		if streamID == stream && flags&flagEndStream != 0 && (kind == frameData || kind == frameHeaders) {
			// Trailers without a message: grpc-status is an error (e.g. NOT_FOUND for an
			// unknown service); decoding it would need HPACK's Huffman table, so say so plainly.
			return 0, errors.New("the call ended without a response (unknown service, or an error status)")
		}
	}
}

// unpad strips the padding of a PADDED DATA frame.
func unpad(flags byte, payload []byte) ([]byte, error) {
	if flags&flagPadded == 0 {
		return payload, nil
	}
	if len(payload) == 0 || int(payload[0]) >= len(payload) {
		return nil, errors.New("malformed padded DATA frame")
	}
	return payload[1 : len(payload)-int(payload[0])], nil
}

// servingStatus decodes HealthCheckResponse{status = 1 (varint)}, skipping unknown fields.
func servingStatus(body []byte) (uint64, error) {
	var status uint64 // absent field: UNKNOWN (0)
	for len(body) > 0 {
		key, n := binary.Uvarint(body)
		if n <= 0 {
			return 0, errors.New("malformed response")
		}
		body = body[n:]
		switch key & 7 { // wire type
		case 0:
			value, m := binary.Uvarint(body)
			if m <= 0 {
				return 0, errors.New("malformed response")
			}
			if key>>3 == 1 {
				status = value
			}
			body = body[m:]
		case 2:
			size, m := binary.Uvarint(body)
			if m <= 0 || uint64(len(body)-m) < size {
				return 0, errors.New("malformed response")
			}
			body = body[m+int(size):]
		default:
			return 0, fmt.Errorf("unexpected protobuf wire type %d", key&7)
		}
	}
	return status, nil
}
