package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// SchemaFile is the name of the JSON Schema an export writes next to the
// files, which their first line points editors to.
const SchemaFile = "config.schema.json"

// Encode writes the document as YAML: apiVersion, kind, metadata, spec,
// keys sorted, multi-line text as literal blocks, preceded by the
// yaml-language-server comment that makes editors validate against the
// schema. The same document always gives the same bytes.
func (d *Document) Encode() ([]byte, error) {
	schema := SchemaFile
	if strings.Contains(d.Path(), "/") {
		schema = "../" + SchemaFile
	}
	root := mapping()
	addPair(root, "apiVersion", scalar(APIVersion))
	addPair(root, "kind", scalar(d.Kind))
	meta := mapping()
	addPair(meta, "name", scalar(d.Metadata.Name))
	addPair(root, "metadata", meta)
	spec, err := toNode(d.Spec)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.ID(), err)
	}
	addPair(root, "spec", spec)
	root.HeadComment = "yaml-language-server: $schema=" + schema
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, fmt.Errorf("%s: %w", d.ID(), err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Files encodes documents as files by path, plus the schema.
func Files(docs []*Document) (map[string][]byte, error) {
	out := map[string][]byte{SchemaFile: Schema()}
	for _, d := range docs {
		b, err := d.Encode()
		if err != nil {
			return nil, err
		}
		out[d.Path()] = b
	}
	return out, nil
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

func scalar(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if literalOK(s) {
		n.Style = yaml.LiteralStyle
	}
	return n
}

// literalOK reports whether s reads back exactly from a literal block:
// several lines, no carriage returns or tabs, no line with trailing
// blanks, not starting with a blank.
func literalOK(s string) bool {
	if !strings.Contains(s, "\n") || strings.ContainsAny(s, "\r\t") || strings.HasPrefix(s, " ") {
		return false
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.HasSuffix(line, " ") {
			return false
		}
	}
	return true
}

func addPair(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

// toNode converts JSON values to YAML nodes with sorted keys.
func toNode(v any) (*yaml.Node, error) {
	switch x := v.(type) {
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	case string:
		return scalar(x), nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(x)}, nil
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(x), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(x)}, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range x {
			c, err := toNode(e)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, c)
		}
		return n, nil
	case map[string]any:
		n := mapping()
		for _, k := range slices.Sorted(maps.Keys(x)) {
			c, err := toNode(x[k])
			if err != nil {
				return nil, err
			}
			addPair(n, k, c)
		}
		return n, nil
	}
	return nil, fmt.Errorf("cannot write %T", v)
}
