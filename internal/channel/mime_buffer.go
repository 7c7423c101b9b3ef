package channel

import "sync"

// MIMEBuffer is a reusable buffer to build messages in: a sender that
// builds one message after the other takes one with GetMIMEBuffer, builds
// with Build, and gives it back with Release once nothing reads the
// message any more, instead of allocating a message-sized buffer per
// message.
type MIMEBuffer struct{ b []byte }

// mimeBuffers holds the released buffers of the process.
var mimeBuffers = sync.Pool{New: func() any { return new(MIMEBuffer) }}

// maxPooledMIME is the largest buffer Release keeps; a larger message is
// left to the garbage collector, so one huge message does not pin its
// buffer.
const maxPooledMIME = 256 << 10

// GetMIMEBuffer returns a buffer from the pool.
func GetMIMEBuffer() *MIMEBuffer { return mimeBuffers.Get().(*MIMEBuffer) }

// Build builds e as BuildMIME does, into the buffer: the result is valid
// until the next Build or Release.
func (m *MIMEBuffer) Build(e *Email) ([]byte, error) {
	b, err := BuildMIMEInto(m.b, e)
	if err != nil {
		return nil, err
	}
	m.b = b
	return b, nil
}

// Release gives the buffer back to the pool; the last message built in it
// must not be used afterwards.
func (m *MIMEBuffer) Release() {
	if cap(m.b) > maxPooledMIME {
		m.b = nil
	}
	m.b = m.b[:0]
	mimeBuffers.Put(m)
}
