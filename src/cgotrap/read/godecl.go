// Command godecl reads Go files with the Go toolchain's own go/parser and prints, per file,
// what cgotrap's verdicts need: top-level declarations, identifiers the file does not declare
// (uses that may resolve to package scope or to an import), qualified uses pkg.Name, package
// level error values with a literal message, and functions whose body only fails.
//
// cgotrap ships this file as source and builds it on demand with the user's go (cached under
// $XDG_CACHE_HOME/cgotrap). It is a pure function of its input: no file system access.
//
// Input (stdin), repeated: a decimal byte count, a newline, that many bytes of Go source.
// Output (stdout): one JSON object per input, one per line, in input order.
//
// Standard library only.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"io"
	"os"
	"strconv"
	"strings"
)

// Bounds: a hostile file cannot make the output unbounded.
const (
	maxSource  = 4 << 20 // bytes of one file
	maxRecords = 20000   // entries of each list per file
	maxMessage = 400     // bytes of a quoted message
)

type importRec struct {
	Path string `json:"path"`
	Name string `json:"name"` // explicit local name ("", ".", "_", "x")
	Line int    `json:"line"`
}

type declRec struct {
	Kind string `json:"kind"` // func, method, type, var, const
	Name string `json:"name"`
	Recv string `json:"recv"` // receiver base type of a method, else ""
	Line int    `json:"line"`
	// For a type: whether its method set is only the methods declared on it (a struct
	// without embedded fields, or a non-struct, non-interface type literal or basic type),
	// and its struct field names.
	Closed     bool       `json:"closed,omitempty"`
	Fields     []string   `json:"fields,omitempty"`
	FieldTypes []fieldRec `json:"field_types,omitempty"`
}

// fieldRec: a struct field whose type is a named type of the same package (T or *T).
type fieldRec struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Pointer bool   `json:"pointer"`
}

// methodUseRec: a selector x.M whose operand's named type is known without type checking:
// x is a variable, parameter or receiver declared in this file with type T, *T, pkg.T or
// *pkg.T, or initialised with T{...}, &T{...} or new(T).
type methodUseRec struct {
	Var     string `json:"var"`
	Name    string `json:"name"`
	Type    string `json:"type"`
	TypePkg string `json:"type_pkg"` // the import name of a qualified type, else ""
	Pointer bool   `json:"pointer"`
	Field   string `json:"field"` // for x.f.M: f, a field of Type whose own type is the operand's
	Line    int    `json:"line"`
}

// initCallRec: a call in a func init() body that registers something:
// graphdriver.MustRegister("btrfs", Init), sql.Register(name, &Driver{}), register(...).
type initCallRec struct {
	Func string `json:"func"` // the called function ("MustRegister")
	Pkg  string `json:"pkg"`  // the import name it is called through ("graphdriver"), or ""
	Key  string `json:"key"`  // the first argument: a string literal's value, else its source
	// Whether Key is a literal's value (else a name or expression, equal to any key).
	Literal bool   `json:"literal"`
	Text    string `json:"text"` // the call's source (bounded)
	Line    int    `json:"line"`
}

type useRec struct {
	Name string `json:"name"`
	Line int    `json:"line"`
}

type qualRec struct {
	Local string `json:"local"` // the unresolved operand X of X.Name
	Name  string `json:"name"`
	Line  int    `json:"line"`
}

type errRec struct {
	Name    string `json:"name"`
	Message string `json:"message"`
	Type    string `json:"type"` // var X = T{} / &T{}: the type whose Error() says it, else ""
	Line    int    `json:"line"`
}

// typeRec: a type whose Error() string method returns a literal message.
type typeRec struct {
	Name    string `json:"name"`
	Message string `json:"message"`
	Line    int    `json:"line"`
}

// failRec: a function whose body only returns zero values and one error, or panics.
type failRec struct {
	Func    string `json:"func"`
	Recv    string `json:"recv"`
	Line    int    `json:"line"`     // the func keyword
	Message string `json:"message"`  // the literal message ("" when only a reference)
	Ref     string `json:"ref"`      // the package-level value it returns ("errorMsg"), or ""
	RefPkg  string `json:"ref_pkg"`  // X of a qualified reference (os.ErrNotExist: "os")
	MsgLine int    `json:"msg_line"` // the line of the message or reference
	Panics  bool   `json:"panics"`
}

type fileRec struct {
	Package   string         `json:"package"`
	Build     string         `json:"build"`      // the //go:build line (or the first // +build line)
	BuildLine int            `json:"build_line"` // its line, 0 if none
	Error     string         `json:"error"`
	Imports   []importRec    `json:"imports"`
	Decls     []declRec      `json:"decls"`
	Uses      []useRec       `json:"uses"`
	Qualified []qualRec      `json:"qualified"`
	Errors    []errRec       `json:"errors"`
	ErrTypes  []typeRec      `json:"error_types"`
	Fails     []failRec      `json:"fails"`
	Methods   []methodUseRec `json:"method_uses"`
	InitCalls []initCallRec  `json:"init_calls"`
	Truncated bool           `json:"truncated"`
}

func main() {
	in := bufio.NewReaderSize(os.Stdin, 1<<16)
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for {
		header, err := in.ReadString('\n')
		if err == io.EOF && header == "" {
			return
		}
		n, convErr := strconv.Atoi(strings.TrimSpace(header))
		if err != nil || convErr != nil || n < 0 || n > maxSource {
			fmt.Fprintln(os.Stderr, "godecl: bad frame header")
			os.Exit(2)
		}
		src := make([]byte, n)
		if _, err := io.ReadFull(in, src); err != nil {
			fmt.Fprintln(os.Stderr, "godecl: short frame")
			os.Exit(2)
		}
		if err := enc.Encode(read(src)); err != nil {
			os.Exit(1)
		}
	}
}

func read(src []byte) (rec fileRec) {
	rec = fileRec{Imports: []importRec{}, Decls: []declRec{}, Uses: []useRec{},
		Qualified: []qualRec{}, Errors: []errRec{}, ErrTypes: []typeRec{}, Fails: []failRec{},
		Methods: []methodUseRec{}, InitCalls: []initCallRec{}}
	defer func() {
		// go/parser does not panic on bad input; this is a last line of defence.
		if r := recover(); r != nil {
			rec = fileRec{Error: fmt.Sprint("godecl: ", r), Imports: []importRec{},
				Decls: []declRec{}, Uses: []useRec{}, Qualified: []qualRec{},
				Errors: []errRec{}, ErrTypes: []typeRec{}, Fails: []failRec{},
				Methods: []methodUseRec{}, InitCalls: []initCallRec{}}
		}
	}()
	fset := token.NewFileSet()
	// Object resolution on: the parser resolves every identifier declared in the file (locals,
	// parameters, file-level declarations); what stays in f.Unresolved is declared elsewhere
	// (another file of the package, an import, the universe). Composite literal keys are not
	// collected as unresolved (go.dev/issue/45160), selectors' field names never are.
	f, err := parser.ParseFile(fset, "x.go", src, parser.ParseComments|parser.AllErrors)
	if err != nil {
		rec.Error = err.Error()
	}
	if f == nil {
		return rec
	}
	line := func(p token.Pos) int { return fset.Position(p).Line }
	rec.Package = f.Name.Name
	rec.Build, rec.BuildLine = buildLine(f, fset)
	for _, spec := range f.Imports {
		path, _ := strconv.Unquote(spec.Path.Value)
		name := ""
		if spec.Name != nil {
			name = spec.Name.Name
		}
		rec.Imports = append(rec.Imports, importRec{Path: path, Name: name, Line: line(spec.Pos())})
	}
	topTypes := map[*ast.TypeSpec]bool{}
	type typeAt struct {
		index int
		spec  *ast.TypeSpec
	}
	var structs []typeAt
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			kind, recv := "func", ""
			if d.Recv != nil && len(d.Recv.List) > 0 {
				kind, recv = "method", baseType(d.Recv.List[0].Type)
			}
			if kind == "func" && d.Name.Name == "init" && d.Body != nil {
				rec.InitCalls = append(rec.InitCalls, registrations(d.Body, src, fset)...)
			}
			if d.Name.Name != "_" && !(kind == "func" && d.Name.Name == "init") {
				rec.Decls = append(rec.Decls, declRec{Kind: kind, Name: d.Name.Name, Recv: recv, Line: line(d.Name.Pos())})
			}
			if msg, ok := errorMethod(d); ok {
				rec.ErrTypes = append(rec.ErrTypes, typeRec{Name: recv, Message: msg, Line: line(d.Pos())})
			}
			if d.Body != nil && !errorConstructor(d.Name.Name) {
				if fail, ok := failingBody(d.Body, errorResults(d.Type), line); ok {
					fail.Func, fail.Recv, fail.Line = d.Name.Name, recv, line(d.Pos())
					rec.Fails = append(rec.Fails, fail)
				}
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					closed, fields := shape(s)
					rec.Decls = append(rec.Decls, declRec{Kind: "type", Name: s.Name.Name, Line: line(s.Name.Pos()),
						Closed: closed, Fields: fields})
					topTypes[s] = true
					structs = append(structs, typeAt{len(rec.Decls) - 1, s})
				case *ast.ValueSpec:
					kind := "var"
					if d.Tok == token.CONST {
						kind = "const"
					}
					for i, n := range s.Names {
						if n.Name == "_" {
							continue
						}
						rec.Decls = append(rec.Decls, declRec{Kind: kind, Name: n.Name, Line: line(n.Pos())})
						if kind == "var" && i < len(s.Values) {
							if msg, ok := errorMessage(s.Values[i]); ok {
								rec.Errors = append(rec.Errors, errRec{Name: n.Name, Message: msg, Line: line(s.Values[i].Pos())})
							} else if typ := emptyLiteralType(s.Values[i]); typ != "" {
								rec.Errors = append(rec.Errors, errRec{Name: n.Name, Type: typ, Line: line(s.Values[i].Pos())})
							}
						}
					}
				}
			}
		}
	}
	unresolved := make(map[*ast.Ident]bool, len(f.Unresolved))
	seen := map[string]bool{}
	for _, id := range f.Unresolved {
		unresolved[id] = true
		if !seen[id.Name] && id.Name != "_" {
			seen[id.Name] = true
			rec.Uses = append(rec.Uses, useRec{Name: id.Name, Line: line(id.Pos())})
		}
	}
	for _, at := range structs {
		rec.Decls[at.index].FieldTypes = fieldTypes(at.spec, topTypes, unresolved)
	}
	seenQ := map[[2]string]bool{}
	seenM := map[methodUseRec]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); ok && !unresolved[x] {
			if t, ok := varType(x, topTypes, unresolved); ok {
				t.Var, t.Name = x.Name, sel.Sel.Name
				if !seenM[t] {
					seenM[t] = true
					t.Line = line(sel.Sel.Pos())
					rec.Methods = append(rec.Methods, t)
				}
			}
		}
		if inner, ok := sel.X.(*ast.SelectorExpr); ok {
			// x.f.M, x of a known type of this package: the Python side finds f's type.
			if x, ok := inner.X.(*ast.Ident); ok && !unresolved[x] {
				if t, ok := varType(x, topTypes, unresolved); ok && t.TypePkg == "" {
					t.Var, t.Name, t.Field = x.Name+"."+inner.Sel.Name, sel.Sel.Name, inner.Sel.Name
					if !seenM[t] {
						seenM[t] = true
						t.Line = line(sel.Sel.Pos())
						rec.Methods = append(rec.Methods, t)
					}
				}
			}
		}
		if x, ok := sel.X.(*ast.Ident); ok && unresolved[x] {
			key := [2]string{x.Name, sel.Sel.Name}
			if !seenQ[key] {
				seenQ[key] = true
				rec.Qualified = append(rec.Qualified, qualRec{Local: x.Name, Name: sel.Sel.Name, Line: line(sel.Sel.Pos())})
			}
		}
		return true
	})
	rec.Truncated = len(rec.Decls) > maxRecords || len(rec.Uses) > maxRecords || len(rec.Qualified) > maxRecords
	rec.Decls = clip(rec.Decls)
	rec.Uses = clip(rec.Uses)
	rec.Qualified = clip(rec.Qualified)
	rec.Errors = clip(rec.Errors)
	rec.ErrTypes = clip(rec.ErrTypes)
	rec.Fails = clip(rec.Fails)
	rec.Methods = clip(rec.Methods)
	rec.InitCalls = clip(rec.InitCalls)
	return rec
}

// buildLine: the file's //go:build line (else its first // +build line) before the package
// clause, and its line.
func buildLine(f *ast.File, fset *token.FileSet) (string, int) {
	plus, plusLine := "", 0
	for _, group := range f.Comments {
		if group.Pos() >= f.Package {
			break
		}
		for _, c := range group.List {
			switch {
			case constraint.IsGoBuild(c.Text):
				return truncate(c.Text), fset.Position(c.Pos()).Line
			case plus == "" && constraint.IsPlusBuild(c.Text):
				plus, plusLine = truncate(c.Text), fset.Position(c.Pos()).Line
			}
		}
	}
	return plus, plusLine
}

// predeclared non-interface types: a type defined as one of them has only its own methods.
var basicTypes = map[string]bool{
	"bool": true, "byte": true, "complex64": true, "complex128": true, "float32": true,
	"float64": true, "int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"rune": true, "string": true, "uint": true, "uint8": true, "uint16": true, "uint32": true,
	"uint64": true, "uintptr": true,
}

// shape: whether a declared type's method set is only the methods declared on it, and its
// struct fields. Embedded fields, interfaces, aliases and types defined from another named
// type are not closed: their selectors may come from elsewhere.
func shape(s *ast.TypeSpec) (bool, []string) {
	if s.Assign.IsValid() {
		return false, nil
	}
	t := s.Type
	for {
		p, ok := t.(*ast.ParenExpr)
		if !ok {
			break
		}
		t = p.X
	}
	switch v := t.(type) {
	case *ast.StructType:
		fields := []string{}
		for _, field := range v.Fields.List {
			if len(field.Names) == 0 {
				return false, nil
			}
			for _, n := range field.Names {
				fields = append(fields, n.Name)
			}
		}
		return true, fields
	case *ast.Ident:
		return v.Obj == nil && basicTypes[v.Name], nil
	case *ast.ArrayType, *ast.MapType, *ast.FuncType, *ast.ChanType:
		return true, nil
	}
	return false, nil
}

// fieldTypes: the fields of a struct type whose type is T or *T of this package.
func fieldTypes(s *ast.TypeSpec, topTypes map[*ast.TypeSpec]bool, unresolved map[*ast.Ident]bool) []fieldRec {
	st, ok := s.Type.(*ast.StructType)
	if !ok || s.Assign.IsValid() {
		return nil
	}
	var out []fieldRec
	for _, field := range st.Fields.List {
		t, ok := namedType(field.Type, topTypes, unresolved)
		if !ok || t.TypePkg != "" {
			continue
		}
		for _, n := range field.Names {
			out = append(out, fieldRec{Name: n.Name, Type: t.Type, Pointer: t.Pointer})
		}
	}
	return out
}

// namedType: T, *T, pkg.T or *pkg.T, where T is a type of package scope (declared at the
// top of this file, or not in it) and pkg an import; not a type parameter, a local type or
// a generic instantiation.
func namedType(e ast.Expr, topTypes map[*ast.TypeSpec]bool, unresolved map[*ast.Ident]bool) (methodUseRec, bool) {
	var rec methodUseRec
	if star, ok := e.(*ast.StarExpr); ok {
		rec.Pointer = true
		e = star.X
	}
	switch v := e.(type) {
	case *ast.Ident:
		if v.Obj == nil && !unresolved[v] {
			return rec, false
		}
		if v.Obj != nil {
			spec, ok := v.Obj.Decl.(*ast.TypeSpec)
			if !ok || !topTypes[spec] {
				return rec, false
			}
		}
		rec.Type = v.Name
		return rec, true
	case *ast.SelectorExpr:
		if x, ok := v.X.(*ast.Ident); ok && unresolved[x] {
			rec.Type, rec.TypePkg = v.Sel.Name, x.Name
			return rec, true
		}
	}
	return rec, false
}

// valueType: the type of T{...}, &T{...} or new(T).
func valueType(e ast.Expr, topTypes map[*ast.TypeSpec]bool, unresolved map[*ast.Ident]bool) (methodUseRec, bool) {
	switch v := e.(type) {
	case *ast.ParenExpr:
		return valueType(v.X, topTypes, unresolved)
	case *ast.CompositeLit:
		if v.Type == nil {
			return methodUseRec{}, false
		}
		if _, star := v.Type.(*ast.StarExpr); star {
			return methodUseRec{}, false
		}
		return namedType(v.Type, topTypes, unresolved)
	case *ast.UnaryExpr:
		if c, ok := v.X.(*ast.CompositeLit); ok && v.Op == token.AND {
			rec, ok := valueType(c, topTypes, unresolved)
			rec.Pointer = true
			return rec, ok
		}
	case *ast.CallExpr:
		if fn, ok := v.Fun.(*ast.Ident); ok && fn.Name == "new" && unresolved[fn] && len(v.Args) == 1 {
			if _, star := v.Args[0].(*ast.StarExpr); star {
				return methodUseRec{}, false
			}
			rec, ok := namedType(v.Args[0], topTypes, unresolved)
			rec.Pointer = true
			return rec, ok
		}
	}
	return methodUseRec{}, false
}

// varType: the named type of variable x from its declaration in this file.
func varType(x *ast.Ident, topTypes map[*ast.TypeSpec]bool, unresolved map[*ast.Ident]bool) (methodUseRec, bool) {
	obj := x.Obj
	if obj == nil || obj.Kind != ast.Var {
		return methodUseRec{}, false
	}
	switch d := obj.Decl.(type) {
	case *ast.Field: // a parameter, result or receiver
		return namedType(d.Type, topTypes, unresolved)
	case *ast.ValueSpec:
		if d.Type != nil {
			return namedType(d.Type, topTypes, unresolved)
		}
		for i, n := range d.Names {
			if n.Obj == obj && len(d.Values) == len(d.Names) {
				return valueType(d.Values[i], topTypes, unresolved)
			}
		}
	case *ast.AssignStmt:
		if d.Tok != token.DEFINE || len(d.Lhs) != len(d.Rhs) {
			return methodUseRec{}, false
		}
		for i, l := range d.Lhs {
			if id, ok := l.(*ast.Ident); ok && id.Obj == obj {
				return valueType(d.Rhs[i], topTypes, unresolved)
			}
		}
	}
	return methodUseRec{}, false
}

// registrations: calls in an init body of a function whose name says it registers
// (Register, MustRegister, registerCollector, RegisterDriver).
func registrations(body *ast.BlockStmt, src []byte, fset *token.FileSet) []initCallRec {
	var out []initCallRec
	source := func(n ast.Node) string {
		a, b := fset.Position(n.Pos()).Offset, fset.Position(n.End()).Offset
		if a < 0 || b > len(src) || a > b {
			return ""
		}
		return truncate(string(src[a:b]))
	}
	ast.Inspect(body, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			return false // a function value is not run by init itself
		}
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		rec := initCallRec{}
		switch fn := call.Fun.(type) {
		case *ast.Ident:
			rec.Func = fn.Name
		case *ast.SelectorExpr:
			x, ok := fn.X.(*ast.Ident)
			if !ok || x.Obj != nil {
				return true
			}
			rec.Func, rec.Pkg = fn.Sel.Name, x.Name
		default:
			return true
		}
		if !strings.Contains(strings.ToLower(rec.Func), "register") || rec.Pkg == "C" {
			return true
		}
		if len(call.Args) > 0 {
			if s, ok := stringLit(call.Args[0]); ok {
				rec.Key, rec.Literal = truncate(s), true
			} else {
				rec.Key = source(call.Args[0])
			}
		}
		rec.Text, rec.Line = source(call), fset.Position(call.Pos()).Line
		out = append(out, rec)
		return true
	})
	return out
}

func clip[T any](s []T) []T {
	if len(s) > maxRecords {
		return s[:maxRecords]
	}
	return s
}

// errorMethod: `func (T) Error() string { return "literal" }` -> the literal.
func errorMethod(d *ast.FuncDecl) (string, bool) {
	if d.Recv == nil || d.Name.Name != "Error" || d.Body == nil || len(d.Body.List) != 1 {
		return "", false
	}
	if d.Type.Params != nil && len(d.Type.Params.List) > 0 {
		return "", false
	}
	ret, ok := d.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return "", false
	}
	s, ok := stringLit(ret.Results[0])
	return truncate(s), ok
}

// emptyLiteralType: T of `T{}` or `&T{}` (a value whose message is T's Error()).
func emptyLiteralType(e ast.Expr) string {
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = u.X
	}
	if c, ok := e.(*ast.CompositeLit); ok && len(c.Elts) == 0 {
		if id, ok := c.Type.(*ast.Ident); ok {
			return id.Name
		}
	}
	return ""
}

// baseType is the receiver's type name: *T, T[P], *T[P, Q] -> T.
func baseType(e ast.Expr) string {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.ParenExpr:
			e = t.X
		case *ast.IndexExpr:
			e = t.X
		case *ast.IndexListExpr:
			e = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}

// stringLit is the value of a string literal (or a + concatenation of them).
func stringLit(e ast.Expr) (string, bool) {
	switch v := e.(type) {
	case *ast.BasicLit:
		if v.Kind == token.STRING {
			s, err := strconv.Unquote(v.Value)
			return s, err == nil
		}
	case *ast.ParenExpr:
		return stringLit(v.X)
	case *ast.BinaryExpr:
		if v.Op == token.ADD {
			a, ok1 := stringLit(v.X)
			b, ok2 := stringLit(v.Y)
			return a + b, ok1 && ok2
		}
	}
	return "", false
}

func truncate(s string) string {
	if len(s) > maxMessage {
		return s[:maxMessage] + "…"
	}
	return s
}

// errorMessage: the message of errors.New("..."), fmt.Errorf("...", ...), fmt.Sprintf and
// any call of a selector/function whose first argument is a string literal
// (status.Error(codes.Unimplemented, "...") takes the first string argument).
func errorMessage(e ast.Expr) (string, bool) {
	if s, ok := stringLit(e); ok {
		return truncate(s), true
	}
	switch v := e.(type) {
	case *ast.ParenExpr:
		return errorMessage(v.X)
	case *ast.UnaryExpr: // &MyError{"..."}
		if v.Op == token.AND {
			return errorMessage(v.X)
		}
	case *ast.CompositeLit:
		for _, elt := range v.Elts {
			if kv, ok := elt.(*ast.KeyValueExpr); ok {
				elt = kv.Value
			}
			if s, ok := stringLit(elt); ok {
				return truncate(s), true
			}
		}
	case *ast.CallExpr:
		for _, arg := range v.Args {
			if s, ok := stringLit(arg); ok {
				return truncate(s), true
			}
		}
	}
	return "", false
}

// zeroValue: nil, false, 0, "", T{} -- what a stub returns beside its error.
func zeroValue(e ast.Expr) bool {
	switch v := e.(type) {
	case *ast.Ident:
		return v.Name == "nil" || v.Name == "false" || v.Name == "true"
	case *ast.BasicLit:
		return true
	case *ast.CompositeLit:
		return len(v.Elts) == 0
	case *ast.UnaryExpr:
		return zeroValue(v.X)
	case *ast.CallExpr: // T(0), uintptr(0)
		return len(v.Args) == 1 && zeroValue(v.Args[0])
	}
	return false
}

// errorConstructor: newError, errUnsupported, unsupportedVersionError build errors for
// others to return; they are not stubs of an API.
func errorConstructor(name string) bool {
	lower := strings.ToLower(name)
	return strings.HasSuffix(lower, "error") || strings.HasPrefix(lower, "err") ||
		strings.HasPrefix(lower, "newerr")
}

// errorResults: which results of a signature are errors (the type `error`, or a named
// type whose name ends in "Error", possibly a pointer). An Error() string method's string
// is a message, not a failure.
func errorResults(t *ast.FuncType) []bool {
	var out []bool
	if t.Results == nil {
		return out
	}
	for _, field := range t.Results.List {
		isErr := false
		e := field.Type
		if star, ok := e.(*ast.StarExpr); ok {
			e = star.X
		}
		switch v := e.(type) {
		case *ast.Ident:
			isErr = v.Name == "error" || strings.HasSuffix(v.Name, "Error")
		case *ast.SelectorExpr:
			isErr = strings.HasSuffix(v.Sel.Name, "Error")
		}
		n := len(field.Names)
		if n == 0 {
			n = 1
		}
		for i := 0; i < n; i++ {
			out = append(out, isErr)
		}
	}
	return out
}

// failingBody: a body whose statements are only `return zero..., ERR` or `panic(MSG)`, where
// ERR is a message expression or a reference to a (package-level or imported) value.
func failingBody(body *ast.BlockStmt, errs []bool, line func(token.Pos) int) (failRec, bool) {
	var fail failRec
	found := false
	if len(body.List) == 0 || len(body.List) > 8 {
		return fail, false
	}
	take := func(e ast.Expr, panics bool) bool {
		if msg, ok := errorMessage(e); ok {
			if !found {
				fail = failRec{Message: msg, MsgLine: line(e.Pos()), Panics: panics}
				found = true
			}
			return true
		}
		switch v := e.(type) {
		case *ast.Ident:
			if v.Name == "nil" || v.Name == "false" || v.Name == "true" {
				return false
			}
			if !found {
				fail = failRec{Ref: v.Name, MsgLine: line(v.Pos()), Panics: panics}
				found = true
			}
			return true
		case *ast.SelectorExpr:
			if x, ok := v.X.(*ast.Ident); ok {
				if !found {
					fail = failRec{Ref: v.Sel.Name, RefPkg: x.Name, MsgLine: line(v.Pos()), Panics: panics}
					found = true
				}
				return true
			}
		}
		return false
	}
	for _, stmt := range body.List {
		switch s := stmt.(type) {
		case *ast.ReturnStmt:
			if len(s.Results) != len(errs) {
				return fail, false // a bare return, or a call returning several values
			}
			failures := 0
			for i, r := range s.Results {
				if zeroValue(r) && !errs[i] {
					continue
				}
				if !errs[i] || !take(r, false) {
					return fail, false
				}
				failures++
			}
			if failures != 1 {
				return fail, false
			}
		case *ast.ExprStmt:
			call, ok := s.X.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return fail, false
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "panic" || !take(call.Args[0], true) {
				return fail, false
			}
		default:
			return fail, false
		}
	}
	return fail, found
}
