// Command kubecheck decodes rendered Kubernetes manifests strictly into the Go types of the
// Kubernetes API (k8s.io/api, and the Prometheus Operator's monitoring.coreos.com/v1 for the
// ServiceMonitor and PrometheusRule), the way an API server with strict field validation would:
//
//   - an apiVersion/kind that is no type of that API version fails;
//   - an unknown or duplicated field fails (case-sensitive, as the API server reads JSON);
//   - a value of the wrong type fails (a string where an integer goes, an object for a list);
//   - a required field that is missing fails: by the API conventions, a field whose JSON tag has
//     no `omitempty` is required; every object needs metadata.name.
//
// Usage: helm template ... | kubecheck [-] [file...]   (YAML, several documents a file)
//
// It prints one line a manifest and exits 1 if any failed, 2 if it could not read its input.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// newScheme registers the API groups a chart of this kind may use. An object of any other
// group is refused: its fields could not be checked.
func newScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme, networkingv1.AddToScheme,
		policyv1.AddToScheme, autoscalingv1.AddToScheme, autoscalingv2.AddToScheme,
		rbacv1.AddToScheme, schedulingv1.AddToScheme, storagev1.AddToScheme,
		coordinationv1.AddToScheme, admissionregistrationv1.AddToScheme, monitoringv1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	return scheme
}

// Checker decodes manifests strictly with the registered types.
type Checker struct {
	scheme  *runtime.Scheme
	decoder runtime.Decoder
}

func NewChecker() *Checker {
	scheme := newScheme()
	serializer := kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme, scheme,
		kjson.SerializerOptions{Yaml: true, Strict: true})
	return &Checker{scheme: scheme, decoder: serializer}
}

// Result is one manifest's verdict: its kind and name, and what is wrong with it.
type Result struct {
	Object string
	Errors []string
}

// CheckDocument checks one YAML document; nil for an empty one (comments only).
func (c *Checker) CheckDocument(document []byte) *Result {
	raw, err := yaml.YAMLToJSONStrict(document)
	if err != nil {
		return &Result{Object: "(unparsable document)", Errors: []string{err.Error()}}
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil
	}
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		return &Result{Object: "(not an object)", Errors: []string{err.Error()}}
	}
	result := &Result{Object: describe(fields)}
	object, _, err := c.decoder.Decode(document, nil, nil)
	if err != nil {
		if strict, ok := runtime.AsStrictDecodingError(err); ok {
			for _, problem := range strict.Errors() {
				result.Errors = append(result.Errors, problem.Error())
			}
		} else {
			result.Errors = append(result.Errors, err.Error())
		}
	}
	if object != nil {
		result.Errors = append(result.Errors, missingRequired(reflect.TypeOf(object), fields, "")...)
		if name, _ := dig(fields, "metadata", "name").(string); name == "" {
			result.Errors = append(result.Errors, `missing required field "metadata.name"`)
		}
	}
	return result
}

// CheckStream checks every document of a multi-document YAML stream.
func (c *Checker) CheckStream(input io.Reader) ([]Result, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(input))
	var results []Result
	for {
		document, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return results, nil
		}
		if err != nil {
			return results, err
		}
		if result := c.CheckDocument(document); result != nil {
			results = append(results, *result)
		}
	}
}

func describe(fields map[string]any) string {
	kind, _ := fields["kind"].(string)
	apiVersion, _ := fields["apiVersion"].(string)
	name, _ := dig(fields, "metadata", "name").(string)
	return fmt.Sprintf("%s %s/%s", apiVersion, kind, name)
}

func dig(value any, path ...string) any {
	for _, key := range path {
		object, ok := value.(map[string]any)
		if !ok {
			return nil
		}
		value = object[key]
	}
	return value
}

var jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()

// missingRequired walks a decoded document beside its Go type and names every field the type
// requires (a JSON tag without omitempty) that the document leaves out. Types that decode
// themselves (quantities, times, int-or-string) are leaves.
func missingRequired(t reflect.Type, value any, path string) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		return nil
	}
	var missing []string
	switch t.Kind() {
	case reflect.Struct:
		object, ok := value.(map[string]any)
		if !ok {
			return nil // a type error, reported by the decoder
		}
		for i := range t.NumField() {
			field := t.Field(i)
			tag := field.Tag.Get("json")
			name, options, _ := strings.Cut(tag, ",")
			if name == "-" || !field.IsExported() {
				continue
			}
			if name == "" && (field.Anonymous || strings.Contains(options, "inline")) {
				missing = append(missing, missingRequired(field.Type, object, path)...)
				continue
			}
			if name == "" {
				name = field.Name
			}
			child, present := object[name]
			if !present {
				if !strings.Contains(options, "omitempty") && !strings.Contains(options, "omitzero") {
					missing = append(missing, fmt.Sprintf("missing required field %q", join(path, name)))
				}
				continue
			}
			missing = append(missing, missingRequired(field.Type, child, join(path, name))...)
		}
	case reflect.Slice, reflect.Array:
		items, _ := value.([]any)
		for i, item := range items {
			missing = append(missing, missingRequired(t.Elem(), item, fmt.Sprintf("%s[%d]", path, i))...)
		}
	case reflect.Map:
		entries, _ := value.(map[string]any)
		keys := make([]string, 0, len(entries))
		for key := range entries {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			missing = append(missing, missingRequired(t.Elem(), entries[key], join(path, key))...)
		}
	}
	return missing
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// apiVersion is the version of the k8s.io/api module this binary was built with.
func apiVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "k8s.io/api" {
				return dep.Version
			}
		}
	}
	return "(unknown)"
}

func main() {
	inputs := os.Args[1:]
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	checker := NewChecker()
	checked, failed := 0, 0
	for _, input := range inputs {
		var reader io.Reader = os.Stdin
		if input != "-" {
			file, err := os.Open(input)
			if err != nil {
				fmt.Fprintln(os.Stderr, "kubecheck:", err)
				os.Exit(2)
			}
			defer file.Close()
			reader = file
		}
		results, err := checker.CheckStream(reader)
		if err != nil {
			fmt.Fprintf(os.Stderr, "kubecheck: %s: %v\n", input, err)
			os.Exit(2)
		}
		for _, result := range results {
			checked++
			if len(result.Errors) == 0 {
				fmt.Printf("ok    %s\n", result.Object)
				continue
			}
			failed++
			fmt.Printf("FAIL  %s\n", result.Object)
			for _, problem := range result.Errors {
				fmt.Printf("      %s\n", problem)
			}
		}
	}
	fmt.Printf("%d manifests checked against k8s.io/api %s: %d failed\n", checked, apiVersion(), failed)
	if failed > 0 || checked == 0 {
		os.Exit(1)
	}
}
