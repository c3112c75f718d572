{{/*
"platform.deployment" (dict "root" $ "component" "gateway" "values" .Values.gateway "port" 3000
  "probes" true "env" "<yaml list>" "grace" 30): a Deployment as every service of the platform
  runs: non-root, read-only root file system, no privilege escalation, /tmp as an emptyDir,
  startup/liveness/readiness probes on /healthz and /readyz when it has an HTTP port.
  Instead of "port": "ports" (list (dict "name" "metrics" "port" 9464) ...). Probe options:
  "liveness", "readiness" (paths), "probePort" (a port's name, default http), "noReadiness" true
  (startup and liveness only), "livenessTimeout" and "livenessFailures" (3 and 3).
*/}}
{{- define "platform.deployment" -}}
{{- $root := .root -}}
{{- $values := .values -}}
{{- $ports := .ports | default list -}}
{{- if .port }}{{ $ports = list (dict "name" "http" "port" .port) }}{{ end -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "platform.component" . }}
  labels:
    {{- include "platform.labels" . | nindent 4 }}
spec:
  {{- if not (and $values.autoscaling $values.autoscaling.enabled) }}
  replicas: {{ $values.replicas | default 1 }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  template:
    metadata:
      labels:
        {{- include "platform.labels" . | nindent 8 }}
      annotations:
        {{- include "platform.checksums" $root | nindent 8 }}
        {{- with $root.Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      {{- include "platform.podSecurity" $root | nindent 6 }}
      terminationGracePeriodSeconds: {{ .grace }}
      {{- include "platform.tmpVolume" $root | nindent 6 }}
      containers:
        - name: {{ .component }}
          image: {{ include "platform.image" . }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          {{- with $ports }}
          ports:
            {{- range . }}
            - name: {{ .name }}
              containerPort: {{ .port }}
              protocol: TCP
            {{- end }}
          {{- end }}
          env:
            {{- .env | trim | nindent 12 }}
            {{- with $values.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- include "platform.tmpMount" $root | nindent 10 }}
          resources:
            {{- toYaml $values.resources | nindent 12 }}
          {{- if .probes }}
          {{- $liveness := .liveness | default "/healthz" }}
          {{- $readiness := .readiness | default "/readyz" }}
          {{- $port := .probePort | default "http" }}
          # Startup: up to 5 minutes (the HTTP services migrate at start-up, none left after the Job).
          startupProbe:
            httpGet: { path: {{ $liveness }}, port: {{ $port }} }
            periodSeconds: 5
            failureThreshold: 60
          livenessProbe:
            httpGet: { path: {{ $liveness }}, port: {{ $port }} }
            periodSeconds: 10
            timeoutSeconds: {{ .livenessTimeout | default 3 }}
            failureThreshold: {{ .livenessFailures | default 3 }}
          {{- if not .noReadiness }}
          readinessProbe:
            httpGet: { path: {{ $readiness }}, port: {{ $port }} }
            periodSeconds: 5
            timeoutSeconds: 3
            failureThreshold: 3
          {{- end }}
          {{- end }}
{{- end -}}

{{/*
"platform.service" (dict "root" $ "component" "assistants" "port" 3001 "metrics" true): port
  `http`; or "ports" (list (dict "name" "metrics" "port" 9464) ...), each to the container's port
  of that name. "metrics" true: scraped by the ServiceMonitor.
*/}}
{{- define "platform.service" -}}
{{- $ports := .ports | default list -}}
{{- if .port }}{{ $ports = list (dict "name" "http" "port" .port) }}{{ end -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "platform.component" . }}
  labels:
    {{- include "platform.labels" . | nindent 4 }}
    {{- if .metrics }}
    assistant-platform/metrics: "true"
    {{- end }}
spec:
  type: {{ .type | default "ClusterIP" }}
  selector:
    {{- include "platform.selectorLabels" . | nindent 4 }}
  ports:
    {{- range $ports }}
    - name: {{ .name }}
      port: {{ .port }}
      targetPort: {{ .name }}
      protocol: TCP
    {{- end }}
{{- end -}}

{{/* "platform.pdb" (dict "root" $ "component" "gateway" "values" .Values.gateway) */}}
{{- define "platform.pdb" -}}
{{- if .values.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "platform.component" . }}
  labels:
    {{- include "platform.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .values.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{/* "platform.hpa" (dict "root" $ "component" "gateway" "values" .Values.gateway) */}}
{{- define "platform.hpa" -}}
{{- if .values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "platform.component" . }}
  labels:
    {{- include "platform.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "platform.component" . }}
  minReplicas: {{ .values.autoscaling.minReplicas }}
  maxReplicas: {{ .values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .values.autoscaling.targetCPUUtilizationPercentage }}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300
{{- end }}
{{- end -}}
