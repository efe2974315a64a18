package pager

// Slice returns the page of items that starts at the token's index: at
// most size of them (all when size ≤ 0), and the token of the next page
// when there is one.
func Slice[T any](p Pager[int], items []T, size int) ([]T, *string, error) {
	start, err := p.Start()
	if err != nil {
		return nil, nil, err
	}
	if start < 0 || start > len(items) {
		return nil, nil, ErrInvalidToken
	}
	end := len(items)
	if size > 0 {
		end = min(end, start+size)
	}
	var next *string
	if end < len(items) {
		next = p.Next(end)
	}
	return items[start:end], next, nil
}

// After returns the page of items, sorted by key, that follows the key the
// token names: at most size of them (all when size ≤ 0), and the token of
// the next page when there is one. Keys survive items added or removed
// between pages, which indexes do not.
func After[T any](p Pager[string], items []T, key func(T) string, size int) ([]T, *string, error) {
	after, err := p.Start()
	if err != nil {
		return nil, nil, err
	}
	i := 0
	if after != "" {
		for i < len(items) && key(items[i]) <= after {
			i++
		}
	}
	end := len(items)
	if size > 0 {
		end = min(end, i+size)
	}
	var next *string
	if end < len(items) {
		next = p.Next(key(items[end-1]))
	}
	return items[i:end], next, nil
}
