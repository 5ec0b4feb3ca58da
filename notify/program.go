package notify

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	texttemplate "text/template"
	"text/template/parse"
)

// A program is a template compiled, once, for the type of the view it is
// executed with: fields found by index rather than by name at every
// execution, html/template's escapers called directly rather than
// through reflect, every piece appended to one buffer. text/template
// spent three quarters of an acknowledgement's rendering on that
// reflection. Only the part of the template language our templates use
// is compiled (fields, if/else, range/else, template, len and integer or
// string comparisons, the escapers html/template adds for text,
// attributes and URLs); a template using anything else, an override
// among them, is not compiled and runs in text/template, whose output a
// program reproduces byte for byte (TestProgramsRenderAsTemplates).
type program struct {
	root step
}

// step writes the output of one node with dot.
type step func(b *bytes.Buffer, dot reflect.Value)

// errNotCompiled says that a template uses what programs do not cover.
var errNotCompiled = errors.New("not compiled")

// compileProgram compiles tree, whose {{template}} calls find their tree
// with lookup, for views of type typ. For an HTML template, tree must be
// the escaped one (html/template escapes on its first execution).
func compileProgram(tree *parse.Tree, lookup func(name string) *parse.Tree, typ reflect.Type) (*program, error) {
	if tree == nil || tree.Root == nil || typ == nil || typ.Kind() != reflect.Pointer || typ.Elem().Kind() != reflect.Struct {
		return nil, errNotCompiled
	}
	c := &compiler{lookup: lookup}
	root, err := c.list(tree.Root, typ.Elem())
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", tree.Name, err)
	}
	return &program{root: root}, nil
}

// compile compiles the kind's templates, which have all run, for views
// of type typ; one that uses what programs do not cover is left to
// text/template.
func (kt *kindTemplates) compile(typ reflect.Type) *kindPrograms {
	progs := &kindPrograms{}
	textLookup := func(t *texttemplate.Template) func(string) *parse.Tree {
		return func(name string) *parse.Tree {
			if t := t.Lookup(name); t != nil {
				return t.Tree
			}
			return nil
		}
	}
	progs.subject, _ = compileProgram(kt.subject.Tree, textLookup(kt.subject), typ)
	progs.text, _ = compileProgram(kt.text.Tree, textLookup(kt.text), typ)
	progs.html, _ = compileProgram(kt.html.Tree, func(name string) *parse.Tree {
		if t := kt.html.Lookup(name); t != nil {
			return t.Tree
		}
		return nil
	}, typ)
	if progs.subject != nil || progs.text != nil || progs.html != nil {
		progs.typ = typ // a pointer to a struct, which render takes programs for
	}
	return progs
}

// run writes the template's output for v, a pointer of the type p was
// compiled for, not nil.
func (p *program) run(b *bytes.Buffer, v any) {
	p.root(b, reflect.ValueOf(v).Elem())
}

type compiler struct {
	lookup func(name string) *parse.Tree
	depth  int // {{template}} calls being compiled, which stops a recursive one
}

func (c *compiler) list(l *parse.ListNode, dot reflect.Type) (step, error) {
	if l == nil {
		return func(*bytes.Buffer, reflect.Value) {}, nil
	}
	steps := make([]step, 0, len(l.Nodes))
	for _, n := range l.Nodes {
		s, err := c.node(n, dot)
		if err != nil {
			return nil, err
		}
		if s != nil {
			steps = append(steps, s)
		}
	}
	switch len(steps) {
	case 0:
		return func(*bytes.Buffer, reflect.Value) {}, nil
	case 1:
		return steps[0], nil
	}
	return func(b *bytes.Buffer, dot reflect.Value) {
		for _, s := range steps {
			s(b, dot)
		}
	}, nil
}

// node compiles one node; a comment gives no step.
func (c *compiler) node(n parse.Node, dot reflect.Type) (step, error) {
	switch n := n.(type) {
	case *parse.TextNode:
		text := n.Text
		return func(b *bytes.Buffer, _ reflect.Value) { b.Write(text) }, nil
	case *parse.CommentNode:
		return nil, nil
	case *parse.ActionNode:
		return c.action(n.Pipe, dot)
	case *parse.IfNode:
		cond, err := c.condition(n.Pipe, dot)
		if err != nil {
			return nil, err
		}
		then, err := c.list(n.List, dot)
		if err != nil {
			return nil, err
		}
		els, err := c.list(n.ElseList, dot)
		if err != nil {
			return nil, err
		}
		return func(b *bytes.Buffer, dot reflect.Value) {
			if cond(dot) {
				then(b, dot)
			} else {
				els(b, dot)
			}
		}, nil
	case *parse.RangeNode:
		return c.rangeNode(n, dot)
	case *parse.TemplateNode:
		return c.template(n, dot)
	}
	return nil, fmt.Errorf("%w: %s", errNotCompiled, n)
}

// getter returns a value of a static type from dot.
type getter func(dot reflect.Value) reflect.Value

// value compiles a command's first and only argument when it is dot or a
// chain of struct fields from dot.
func (c *compiler) value(n parse.Node, dot reflect.Type) (getter, reflect.Type, error) {
	switch n := n.(type) {
	case *parse.DotNode:
		return func(dot reflect.Value) reflect.Value { return dot }, dot, nil
	case *parse.FieldNode:
		index := make([]int, len(n.Ident))
		t := dot
		for i, name := range n.Ident {
			// text/template looks for a method first, and walks through
			// pointers: neither is compiled.
			if t.Kind() != reflect.Struct {
				return nil, nil, fmt.Errorf("%w: %s: %s is not a struct", errNotCompiled, n, t)
			}
			if _, ok := reflect.PointerTo(t).MethodByName(name); ok {
				return nil, nil, fmt.Errorf("%w: %s: a method", errNotCompiled, n)
			}
			f, ok := t.FieldByName(name)
			if !ok || !f.IsExported() || len(f.Index) != 1 {
				return nil, nil, fmt.Errorf("%w: %s: no exported field %s in %s", errNotCompiled, n, name, t)
			}
			index[i], t = f.Index[0], f.Type
		}
		if len(index) == 1 {
			i := index[0]
			return func(dot reflect.Value) reflect.Value { return dot.Field(i) }, t, nil
		}
		return func(dot reflect.Value) reflect.Value {
			for _, i := range index {
				dot = dot.Field(i)
			}
			return dot
		}, t, nil
	}
	return nil, nil, fmt.Errorf("%w: %s", errNotCompiled, n)
}

// htmlEscapers are the escapers html/template puts in an action's
// pipeline that programs run themselves, by the name they are called in
// an escaped template. For a string or an int, which are all a program
// prints, each is one of these functions of its text.
var htmlEscapers = map[string]func(b []byte, s string) []byte{
	"_html_template_htmlescaper":   appendHTMLEscaped,
	"_html_template_rcdataescaper": appendHTMLEscaped,
	"_html_template_attrescaper":   appendHTMLEscaped,
	"_html_template_urlnormalizer": appendURLNormalized,
}

// action compiles {{.Field}}, printed as text/template prints it, and
// its escaped form {{.Field | escaper...}}.
func (c *compiler) action(p *parse.PipeNode, dot reflect.Type) (step, error) {
	if len(p.Decl) != 0 || len(p.Cmds) == 0 || len(p.Cmds[0].Args) != 1 {
		return nil, fmt.Errorf("%w: %s", errNotCompiled, p)
	}
	get, t, err := c.value(p.Cmds[0].Args[0], dot)
	if err != nil {
		return nil, err
	}
	var text func(reflect.Value) string
	switch t {
	case reflect.TypeFor[string]():
		text = reflect.Value.String
	case reflect.TypeFor[int]():
		text = func(v reflect.Value) string { return strconv.FormatInt(v.Int(), 10) }
	default:
		return nil, fmt.Errorf("%w: %s prints a %s", errNotCompiled, p, t)
	}
	var escapers []func(b []byte, s string) []byte
	for _, cmd := range p.Cmds[1:] {
		id, ok := cmd.Args[0].(*parse.IdentifierNode)
		if !ok || len(cmd.Args) != 1 || htmlEscapers[id.Ident] == nil {
			return nil, fmt.Errorf("%w: %s", errNotCompiled, p)
		}
		escapers = append(escapers, htmlEscapers[id.Ident])
	}
	switch len(escapers) {
	case 0:
		if t.Kind() == reflect.String {
			return func(b *bytes.Buffer, dot reflect.Value) { b.WriteString(get(dot).String()) }, nil
		}
		return func(b *bytes.Buffer, dot reflect.Value) { b.WriteString(text(get(dot))) }, nil
	case 1:
		esc := escapers[0]
		return func(b *bytes.Buffer, dot reflect.Value) { b.Write(esc(b.AvailableBuffer(), text(get(dot)))) }, nil
	}
	return func(b *bytes.Buffer, dot reflect.Value) {
		s := text(get(dot))
		for _, esc := range escapers[:len(escapers)-1] {
			s = string(esc(nil, s))
		}
		b.Write(escapers[len(escapers)-1](b.AvailableBuffer(), s))
	}, nil
}

// condition compiles an {{if}}'s pipeline: a value, true as
// text/template's truth, or a comparison.
func (c *compiler) condition(p *parse.PipeNode, dot reflect.Type) (func(reflect.Value) bool, error) {
	if len(p.Decl) != 0 || len(p.Cmds) != 1 {
		return nil, fmt.Errorf("%w: %s", errNotCompiled, p)
	}
	args := p.Cmds[0].Args
	if id, ok := args[0].(*parse.IdentifierNode); ok {
		if len(args) != 3 {
			return nil, fmt.Errorf("%w: %s", errNotCompiled, p)
		}
		return c.comparison(id.Ident, args[1], args[2], dot)
	}
	if len(args) != 1 {
		return nil, fmt.Errorf("%w: %s", errNotCompiled, p)
	}
	get, t, err := c.value(args[0], dot)
	if err != nil {
		return nil, err
	}
	var truth func(reflect.Value) bool
	switch t.Kind() {
	case reflect.String, reflect.Slice, reflect.Array, reflect.Map:
		truth = func(v reflect.Value) bool { return v.Len() > 0 }
	case reflect.Bool:
		truth = reflect.Value.Bool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		truth = func(v reflect.Value) bool { return v.Int() != 0 }
	case reflect.Pointer:
		truth = func(v reflect.Value) bool { return !v.IsNil() }
	default:
		return nil, fmt.Errorf("%w: %s is a %s", errNotCompiled, p, t)
	}
	return func(dot reflect.Value) bool { return truth(get(dot)) }, nil
}

// comparison compiles eq, ne, lt, le, gt or ge of two ints, or eq or ne
// of two strings.
func (c *compiler) comparison(fn string, a, b parse.Node, dot reflect.Type) (func(reflect.Value) bool, error) {
	if x, y, err := c.intOperands(a, b, dot); err == nil {
		var cmp func(x, y int64) bool
		switch fn {
		case "eq":
			cmp = func(x, y int64) bool { return x == y }
		case "ne":
			cmp = func(x, y int64) bool { return x != y }
		case "lt":
			cmp = func(x, y int64) bool { return x < y }
		case "le":
			cmp = func(x, y int64) bool { return x <= y }
		case "gt":
			cmp = func(x, y int64) bool { return x > y }
		case "ge":
			cmp = func(x, y int64) bool { return x >= y }
		default:
			return nil, fmt.Errorf("%w: %s", errNotCompiled, fn)
		}
		return func(dot reflect.Value) bool { return cmp(x(dot), y(dot)) }, nil
	}
	x, err := c.stringOperand(a, dot)
	if err != nil {
		return nil, err
	}
	y, err := c.stringOperand(b, dot)
	if err != nil {
		return nil, err
	}
	switch fn {
	case "eq":
		return func(dot reflect.Value) bool { return x(dot) == y(dot) }, nil
	case "ne":
		return func(dot reflect.Value) bool { return x(dot) != y(dot) }, nil
	}
	return nil, fmt.Errorf("%w: %s of strings", errNotCompiled, fn)
}

func (c *compiler) intOperands(a, b parse.Node, dot reflect.Type) (x, y func(reflect.Value) int64, err error) {
	if x, err = c.intOperand(a, dot); err != nil {
		return nil, nil, err
	}
	if y, err = c.intOperand(b, dot); err != nil {
		return nil, nil, err
	}
	return x, y, nil
}

// intOperand compiles an int field, a decimal integer or (len .Field).
func (c *compiler) intOperand(n parse.Node, dot reflect.Type) (func(reflect.Value) int64, error) {
	switch n := n.(type) {
	case *parse.NumberNode:
		// text/template takes "1.0" or "1e3" for a float, which an int
		// cannot be compared with: only digits are an int here.
		for _, r := range n.Text {
			if r < '0' || r > '9' {
				return nil, fmt.Errorf("%w: %s", errNotCompiled, n)
			}
		}
		if !n.IsInt || n.Int64 != int64(int(n.Int64)) {
			return nil, fmt.Errorf("%w: %s", errNotCompiled, n)
		}
		k := n.Int64
		return func(reflect.Value) int64 { return k }, nil
	case *parse.PipeNode:
		if len(n.Decl) != 0 || len(n.Cmds) != 1 || len(n.Cmds[0].Args) != 2 {
			return nil, fmt.Errorf("%w: %s", errNotCompiled, n)
		}
		if id, ok := n.Cmds[0].Args[0].(*parse.IdentifierNode); !ok || id.Ident != "len" {
			return nil, fmt.Errorf("%w: %s", errNotCompiled, n)
		}
		get, t, err := c.value(n.Cmds[0].Args[1], dot)
		if err != nil {
			return nil, err
		}
		switch t.Kind() {
		case reflect.String, reflect.Slice, reflect.Array, reflect.Map:
			return func(dot reflect.Value) int64 { return int64(get(dot).Len()) }, nil
		}
		return nil, fmt.Errorf("%w: %s", errNotCompiled, n)
	}
	get, t, err := c.value(n, dot)
	if err != nil {
		return nil, err
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(dot reflect.Value) int64 { return get(dot).Int() }, nil
	}
	return nil, fmt.Errorf("%w: %s is a %s", errNotCompiled, n, t)
}

// stringOperand compiles a string field or a quoted string.
func (c *compiler) stringOperand(n parse.Node, dot reflect.Type) (func(reflect.Value) string, error) {
	if s, ok := n.(*parse.StringNode); ok {
		text := s.Text
		return func(reflect.Value) string { return text }, nil
	}
	get, t, err := c.value(n, dot)
	if err != nil {
		return nil, err
	}
	if t.Kind() != reflect.String {
		return nil, fmt.Errorf("%w: %s is a %s", errNotCompiled, n, t)
	}
	return func(dot reflect.Value) string { return get(dot).String() }, nil
}

// rangeNode compiles {{range .Field}} over a slice or an array of
// structs or strings, with its {{else}}.
func (c *compiler) rangeNode(n *parse.RangeNode, dot reflect.Type) (step, error) {
	p := n.Pipe
	if len(p.Decl) != 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return nil, fmt.Errorf("%w: %s", errNotCompiled, n)
	}
	get, t, err := c.value(p.Cmds[0].Args[0], dot)
	if err != nil {
		return nil, err
	}
	if k := t.Kind(); k != reflect.Slice && k != reflect.Array {
		return nil, fmt.Errorf("%w: %s ranges over a %s", errNotCompiled, n, t)
	}
	if k := t.Elem().Kind(); k != reflect.Struct && k != reflect.String {
		return nil, fmt.Errorf("%w: %s ranges over a %s", errNotCompiled, n, t)
	}
	body, err := c.list(n.List, t.Elem())
	if err != nil {
		return nil, err
	}
	els, err := c.list(n.ElseList, dot)
	if err != nil {
		return nil, err
	}
	return func(b *bytes.Buffer, dot reflect.Value) {
		items := get(dot)
		if items.Len() == 0 {
			els(b, dot)
			return
		}
		for i := range items.Len() {
			body(b, items.Index(i))
		}
	}, nil
}

// template compiles {{template "name" .}} or {{template "name" .Field}}.
func (c *compiler) template(n *parse.TemplateNode, dot reflect.Type) (step, error) {
	tree := c.lookup(n.Name)
	if tree == nil || tree.Root == nil || n.Pipe == nil || len(n.Pipe.Decl) != 0 || len(n.Pipe.Cmds) != 1 ||
		len(n.Pipe.Cmds[0].Args) != 1 || c.depth > 8 {
		return nil, fmt.Errorf("%w: %s", errNotCompiled, n)
	}
	get, t, err := c.value(n.Pipe.Cmds[0].Args[0], dot)
	if err != nil {
		return nil, err
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%w: %s is given a %s", errNotCompiled, n, t)
	}
	c.depth++
	body, err := c.list(tree.Root, t)
	c.depth--
	if err != nil {
		return nil, err
	}
	return func(b *bytes.Buffer, dot reflect.Value) { body(b, get(dot)) }, nil
}

// htmlEscapes are the replacements of the bytes html/template's HTML,
// RCDATA and attribute escapers replace in a string
// (htmlReplacementTable): all ASCII, so a string is escaped byte by byte.
var htmlEscapes = [...]string{0: "\uFFFD", '"': "&#34;", '&': "&amp;", '\'': "&#39;", '+': "&#43;", '<': "&lt;", '>': "&gt;"}

// appendHTMLEscaped appends s as html/template's HTML, RCDATA and
// attribute escapers write a string.
func appendHTMLEscaped(b []byte, s string) []byte {
	written := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; int(c) < len(htmlEscapes) && htmlEscapes[c] != "" {
			b = append(b, s[written:i]...)
			b = append(b, htmlEscapes[c]...)
			written = i + 1
		}
	}
	return append(b, s[written:]...)
}

// appendURLNormalized appends s as html/template's URL normalizer writes
// it (processURLOnto with norm): what a URL may hold stays, a valid
// percent escape too, any other byte is percent-encoded.
func appendURLNormalized(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		}
		switch c {
		case '!', '#', '$', '&', '*', '+', ',', '/', ':', ';', '=', '?', '@', '[', ']', '-', '.', '_', '~':
			continue
		case '%':
			if i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]) {
				continue
			}
		}
		b = append(b, s[written:i]...)
		b = append(b, '%', hex[c>>4], hex[c&15])
		written = i + 1
	}
	return append(b, s[written:]...)
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
