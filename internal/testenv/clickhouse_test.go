package testenv

import (
	"net"
	"testing"
)

func TestClickHouseStartStop(t *testing.T) {
	c := ClickHouse(t, 2)
	for _, a := range c.Addrs {
		conn, err := net.Dial("tcp", a)
		if err != nil {
			t.Fatal(err)
		}
		conn.Close()
	}
	c.Stop(t, 1)
	if conn, err := net.Dial("tcp", c.Addrs[1]); err == nil {
		conn.Close()
		t.Fatal("shard 2 still listens after Stop")
	}
	c.Start(t, 1)
	conn, err := net.Dial("tcp", c.Addrs[1])
	if err != nil {
		t.Fatalf("shard 2 after Start: %v", err)
	}
	conn.Close()
}
