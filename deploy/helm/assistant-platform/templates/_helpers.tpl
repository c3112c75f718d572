{{/* Names, labels, images and the environment shared by the templates. */}}

{{- define "platform.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "platform.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* "platform.component" (dict "root" $ "component" "gateway"): the name of a component's objects. */}}
{{- define "platform.component" -}}
{{- printf "%s-%s" (include "platform.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "platform.selectorLabels" -}}
app.kubernetes.io/name: {{ include "platform.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "platform.labels" -}}
{{ include "platform.selectorLabels" . }}
app.kubernetes.io/part-of: assistant-platform
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* "platform.image" (dict "root" $ "component" "gateway") */}}
{{- define "platform.image" -}}
{{- $image := .root.Values.image -}}
{{- $repository := printf "%s/%s" $image.repositoryPrefix .component -}}
{{- if $image.registry }}{{ $repository = printf "%s/%s" $image.registry $repository }}{{ end -}}
{{- printf "%s:%s" $repository (default .root.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{- define "platform.secretName" -}}
{{- default (printf "%s-secrets" (include "platform.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "platform.configName" -}}
{{- printf "%s-config" (include "platform.fullname" .) -}}
{{- end -}}

{{/* The LLM endpoint: the configured provider, else the in-chart mock. */}}
{{- define "platform.llmBaseUrl" -}}
{{- if .Values.llm.baseUrl -}}
{{- .Values.llm.baseUrl -}}
{{- else if .Values.mockLlm.enabled -}}
{{- printf "http://%s:18080/v1" (include "platform.component" (dict "root" . "component" "mock-llm")) -}}
{{- else -}}
{{- fail "llm.baseUrl is empty and mockLlm.enabled is false: the services need an LLM endpoint" -}}
{{- end -}}
{{- end -}}

{{/*
"platform.secretEnv" (dict "root" $ "names" (list "DATABASE_URL" "ASSISTANTS_TOKEN:GATEWAY_INTERNAL_TOKEN")
  "optional" (list ...)): variables from the Secret, `NAME` or `NAME:KEY`.
*/}}
{{- define "platform.secretEnv" -}}
{{- $secret := include "platform.secretName" .root -}}
{{- range .names }}
{{- $parts := splitList ":" . }}
- name: {{ first $parts }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ last $parts }}
{{- end }}
{{- range .optional }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ . }}
      optional: true
{{- end }}
{{- end -}}

{{/* "platform.configEnv" (dict "root" $ "names" (list ...)): variables from the ConfigMap. */}}
{{- define "platform.configEnv" -}}
{{- $config := include "platform.configName" .root -}}
{{- range .names }}
- name: {{ . }}
  valueFrom:
    configMapKeyRef:
      name: {{ $config }}
      key: {{ . }}
{{- end }}
{{- end -}}

{{/* The internal tokens, from the Secret, then composed into INTERNAL_TOKENS by Kubernetes. */}}
{{- define "platform.internalTokenEnv" -}}
{{ include "platform.secretEnv" (dict "root" .root "names" .tokens) }}
- name: INTERNAL_TOKENS
  value: {{ .value | quote }}
{{- end -}}

{{/* DATABASE_URL, Kafka and the shared settings: the gateway, the assistants and the sessions service. */}}
{{- define "platform.infrastructureEnv" -}}
{{ include "platform.secretEnv" (dict "root" . "names" (list "DATABASE_URL")) }}
{{ include "platform.configEnv" (dict "root" . "names" (list "KAFKA_BROKERS" "EVENTS_TOPIC" "LOG_LEVEL" "OTEL_EXPORTER_OTLP_ENDPOINT")) }}
{{- end -}}

{{/* Object storage (archives and attachments): the sessions service only, the one that reads it. */}}
{{- define "platform.storageEnv" -}}
{{ include "platform.secretEnv" (dict "root" . "names" (list "S3_ACCESS_KEY_ID" "S3_SECRET_ACCESS_KEY")) }}
{{ include "platform.configEnv" (dict "root" . "names" (list "S3_ENDPOINT" "S3_PUBLIC_ENDPOINT" "S3_REGION" "S3_BUCKET" "S3_FORCE_PATH_STYLE" "S3_PREFIX")) }}
{{- end -}}

{{- define "platform.podSecurity" -}}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The writable scratch space a read-only root file system leaves a Node process. */}}
{{- define "platform.tmpVolume" -}}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 64Mi
{{- end -}}

{{- define "platform.tmpMount" -}}
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- end -}}

{{- define "platform.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if not .Values.secrets.existingSecret }}
checksum/secret-values: {{ pick .Values "postgresql" "redis" "s3" "llm" | toJson | sha256sum }}
{{- end }}
{{- end -}}

{{/* "platform.peer" (dict "root" $ "component" "gateway"): a NetworkPolicy peer, the component's pods. */}}
{{- define "platform.peer" -}}
- podSelector:
    matchLabels:
      {{- include "platform.selectorLabels" . | nindent 6 }}
{{- end -}}

{{/* A kept platform secret when it has its prefix, else a new one: (list "labint_" $kept.X). */}}
{{- define "platform.prefixed" -}}
{{- $prefix := index . 0 -}}
{{- $kept := index . 1 | default "" -}}
{{- if hasPrefix $prefix $kept -}}{{ $kept }}{{- else -}}{{ printf "%s%s" $prefix (randAlphaNum 48) }}{{- end -}}
{{- end }}
