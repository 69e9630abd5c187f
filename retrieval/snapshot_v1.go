package retrieval

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"missionbot/corpus"
)

// Version 1 of the snapshot format, read so that an index written before
// version 2 loads (and keeps its vectors) after an upgrade; it is never
// written. After the header, with strings and counts as uvarint length +
// bytes:
//
//	metas    header.Metas × Meta (six strings)
//	chunks   header.Chunks × {id, meta index, seq, text, corroborating meta indexes}
//	vectors  header.Chunks × header.Dim float32, normalised
//
// It records no corpus files, so the first refresh after the upgrade
// reads every file once.

func (d *snapshotDecoder) uvarint() uint64 {
	var b [binary.MaxVarintLen64]byte
	for i := range b {
		d.full(b[i : i+1])
		if d.err != nil {
			return 0
		}
		if b[i] < 0x80 {
			x, n := binary.Uvarint(b[:i+1])
			if n <= 0 {
				d.fail("bad varint")
				return 0
			}
			return x
		}
	}
	d.fail("varint too long")
	return 0
}

func (d *snapshotDecoder) count(what string, limit uint64) int {
	x := d.uvarint()
	if d.err == nil && (x > limit || x > uint64(d.left)) {
		d.fail("%s %d out of range", what, x)
		return 0
	}
	return int(x)
}

func (d *snapshotDecoder) str() string {
	n := d.count("string length", math.MaxInt32)
	if d.err != nil || n == 0 {
		return ""
	}
	b := make([]byte, n)
	d.full(b)
	return string(b)
}

// decodeV1 reads the body of a version 1 snapshot whose header is h.
func (d *snapshotDecoder) decodeV1(ctx context.Context, h snapshotHeader) (*snapshot, error) {
	metas := make([]corpus.Meta, h.Metas)
	for i := range metas {
		metas[i] = corpus.Meta{DocID: d.str(), Title: d.str(), Publisher: d.str(), Author: d.str(), Published: d.str(), URL: d.str()}
	}
	meta := func() corpus.Meta {
		i := d.count("meta index", uint64(max(h.Metas-1, 0)))
		if d.err != nil || h.Metas == 0 {
			d.fail("chunk refers to a missing document")
			return corpus.Meta{}
		}
		return metas[i]
	}
	chunks := make([]Chunk, h.Chunks)
	for i := range chunks {
		if i%4096 == 0 && ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		c := &chunks[i]
		c.ID = d.str()
		c.Meta = meta()
		c.Seq = d.count("seq", math.MaxInt32)
		c.Text = d.str()
		if n := d.count("corroborating count", uint64(max(h.Metas, 0))); n > 0 {
			c.Corroborating = make([]corpus.Meta, n)
			for j := range c.Corroborating {
				c.Corroborating[j] = meta()
			}
		}
		if d.err != nil {
			return nil, d.err
		}
	}
	if want := int64(h.Chunks) * int64(h.Dim) * 4; want != d.left {
		return nil, fmt.Errorf("%w: %d bytes of vectors expected for %d×%d, %d present", errSnapshotCorrupt, want, h.Chunks, h.Dim, d.left)
	}
	all := make([]float32, h.Chunks*h.Dim)
	d.f32sInto("vectors", all)
	if d.err != nil {
		return nil, d.err
	}
	vecs := make([][]float32, h.Chunks)
	for j := range vecs {
		vecs[j] = all[j*h.Dim : (j+1)*h.Dim : (j+1)*h.Dim]
	}
	return &snapshot{header: h, genParts: genParts{chunks: chunks, vecs: vecs}}, nil
}
