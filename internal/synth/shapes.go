package synth

// shapeCache maps line shapes to a writer's template ids. Ids belong to one
// generation of the writer's templates; a new generation empties the cache.
// The last two shapes are checked before the map because lines come
// resource by resource, alternating at most between a covered line and its
// negation.
type shapeCache struct {
	gen  uint32
	ids  map[shape]int32
	last [2]shapeEntry
}

type shapeEntry struct {
	sh shape
	id int32
	ok bool
}

func newShapeCache() *shapeCache { return &shapeCache{ids: map[shape]int32{}} }

// lookup returns the template id of sh in generation gen.
func (c *shapeCache) lookup(sh shape, gen uint32) (int32, bool) {
	if gen != c.gen {
		clear(c.ids)
		c.last = [2]shapeEntry{}
		c.gen = gen
	}
	if e := c.last[0]; e.ok && e.sh == sh {
		return e.id, true
	}
	if e := c.last[1]; e.ok && e.sh == sh {
		c.last[0], c.last[1] = e, c.last[0]
		return e.id, true
	}
	id, ok := c.ids[sh]
	if ok {
		c.last[1], c.last[0] = c.last[0], shapeEntry{sh, id, true}
	}
	return id, ok
}

// add records the template id of sh.
func (c *shapeCache) add(sh shape, id int32) {
	c.ids[sh] = id
	c.last[1], c.last[0] = c.last[0], shapeEntry{sh, id, true}
}
