package s3sync

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Folder presents a local folder, where exports are delivered or copied,
// as a bucket: keys are slash-separated paths under Root, and an object's
// ETag is its size and modification time, so a rewritten file counts as
// changed. Deliveries are read in place, not copied.
type Folder struct{ Root string }

var _ API = Folder{}

// ListObjectsV2 lists every file under the prefix in one page.
func (f Folder) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	out := &s3.ListObjectsV2Output{}
	prefix := aws.ToString(in.Prefix)
	err := filepath.WalkDir(f.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		rel, _ := filepath.Rel(f.Root, p)
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out.Contents = append(out.Contents, types.Object{Key: aws.String(key), LastModified: aws.Time(info.ModTime()),
			ETag: aws.String(fmt.Sprintf("%d-%d", info.Size(), info.ModTime().UnixNano()))})
		return nil
	})
	return out, err
}

// GetObject opens a file.
func (f Folder) GetObject(ctx context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	r, err := os.Open(f.path(aws.ToString(in.Key)))
	if err != nil {
		return nil, err
	}
	return &s3.GetObjectOutput{Body: r}, nil
}

func (f Folder) path(key string) string { return filepath.Join(f.Root, filepath.FromSlash(key)) }
