package main

import (
	"strings"
	"testing"
)

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: web:1
          ports:
            - containerPort: 8080
          resources:
            requests: {cpu: 100m, memory: 128Mi}
          env:
            - name: PORT
              value: "8080"
`

func check(t *testing.T, manifest string) []string {
	t.Helper()
	results, err := NewChecker().CheckStream(strings.NewReader(manifest))
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 {
		t.Fatalf("want one manifest, got %d", len(results))
	}
	return results[0].Errors
}

func wantError(t *testing.T, manifest, fragment string) {
	t.Helper()
	problems := check(t, manifest)
	for _, problem := range problems {
		if strings.Contains(problem, fragment) {
			return
		}
	}
	t.Fatalf("want an error containing %q, got %q", fragment, problems)
}

func TestAValidDeploymentPasses(t *testing.T) {
	if problems := check(t, deployment); len(problems) != 0 {
		t.Fatalf("want no error, got %q", problems)
	}
}

func TestAnUnknownFieldFails(t *testing.T) {
	wantError(t, strings.Replace(deployment, "  replicas: 2", "  replicas: 2\n  replica: 3", 1),
		`unknown field "spec.replica"`)
}

func TestFieldNamesAreCaseSensitive(t *testing.T) {
	wantError(t, strings.Replace(deployment, "  replicas: 2", "  Replicas: 2", 1),
		`unknown field "spec.Replicas"`)
}

func TestADuplicatedFieldFails(t *testing.T) {
	wantError(t, strings.Replace(deployment, "  replicas: 2", "  replicas: 2\n  replicas: 3", 1),
		`replicas`)
}

func TestAWrongTypeFails(t *testing.T) {
	wantError(t, strings.Replace(deployment, `value: "8080"`, `value: 8080`, 1), `cannot unmarshal number`)
	wantError(t, strings.Replace(deployment, "replicas: 2", `replicas: "2"`, 1), `cannot unmarshal string`)
}

func TestAMissingRequiredFieldFails(t *testing.T) {
	wantError(t, strings.Replace(deployment, "            - containerPort: 8080", "            - name: http", 1),
		`missing required field "spec.template.spec.containers[0].ports[0].containerPort"`)
	wantError(t, strings.Replace(deployment, "  selector:\n    matchLabels: {app: web}\n", "", 1),
		`missing required field "spec.selector"`)
	wantError(t, strings.Replace(deployment, "  name: web\n", "  labels: {}\n", 1),
		`missing required field "metadata.name"`)
}

func TestAnUnknownKindOrVersionFails(t *testing.T) {
	wantError(t, strings.Replace(deployment, "apps/v1", "extensions/v1beta1", 1), `no kind "Deployment"`)
	wantError(t, strings.Replace(deployment, "kind: Deployment", "kind: Deploymnet", 1), `no kind "Deploymnet"`)
}

func TestMonitoringTypesAreChecked(t *testing.T) {
	monitor := `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: lab}
spec:
  selector: {matchLabels: {app: lab}}
  endpoints:
    - port: http
      interval: 30s
`
	if problems := check(t, monitor); len(problems) != 0 {
		t.Fatalf("want no error, got %q", problems)
	}
	wantError(t, strings.Replace(monitor, "interval: 30s", "intervall: 30s", 1), `unknown field "spec.endpoints[0].intervall"`)
	wantError(t, strings.Replace(monitor, "  endpoints:\n    - port: http\n      interval: 30s\n", "", 1),
		`missing required field "spec.endpoints"`)
}

func TestEveryDocumentOfAStreamIsChecked(t *testing.T) {
	results, err := NewChecker().CheckStream(strings.NewReader(
		"# a comment only\n---\n" + deployment + "---\n" + strings.Replace(deployment, "name: web\nspec", "name: api\nspec", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || !strings.HasSuffix(results[1].Object, "Deployment/api") {
		t.Fatalf("want two manifests, web and api, got %+v", results)
	}
}
