{{/*
Chart name, truncated to 63 characters (the DNS label limit).
*/}}
{{- define "sinkron.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of every resource name: the release name, followed by the chart name unless the release
name already contains it. Truncated to 40 characters so that "<prefix>-consensus-headless" and the
consensus pods' names ("<prefix>-consensus-<ordinal>", also their node ids) stay within 63.
*/}}
{{- define "sinkron.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sinkron.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Standard labels of every resource. Call with (dict "ctx" $ "component" "consensus").
*/}}
{{- define "sinkron.labels" -}}
helm.sh/chart: {{ include "sinkron.chart" .ctx }}
{{ include "sinkron.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Values.image.tag | default .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: sinkron
{{- end }}

{{/*
Labels that select one component's pods; they never change on upgrade, as selectors must not.
*/}}
{{- define "sinkron.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sinkron.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Image reference of a component. Call with (dict "ctx" $ "image" .Values.consensus.image).
*/}}
{{- define "sinkron.image" -}}
{{- $tag := .ctx.Values.image.tag | default .ctx.Chart.AppVersion }}
{{- if .ctx.Values.image.registry }}
{{- printf "%s/%s:%s" (trimSuffix "/" .ctx.Values.image.registry) .image.repository $tag }}
{{- else }}
{{- printf "%s:%s" .image.repository $tag }}
{{- end }}
{{- end }}

{{- define "sinkron.consensus.fullname" -}}
{{- printf "%s-consensus" (include "sinkron.fullname" .) }}
{{- end }}

{{- define "sinkron.consensus.headless" -}}
{{- printf "%s-consensus-headless" (include "sinkron.fullname" .) }}
{{- end }}

{{/*
DNS name of consensus pod number N (call with (list $ N)), stable across restarts thanks to the
headless Service: <pod>.<headless service>.<namespace>.svc.<cluster domain>.
*/}}
{{- define "sinkron.consensus.podHost" -}}
{{- $ctx := index . 0 }}
{{- printf "%s-%d.%s.%s.svc.%s" (include "sinkron.consensus.fullname" $ctx) (index . 1) (include "sinkron.consensus.headless" $ctx) $ctx.Release.Namespace $ctx.Values.clusterDomain }}
{{- end }}

{{/*
The cluster size at first install (consensus.initialReplicas), checked against replicas: pods
0 .. initialReplicas-1 are the bootstrap members, so all of them must exist.
*/}}
{{- define "sinkron.consensus.initialReplicas" -}}
{{- $initial := int .Values.consensus.initialReplicas }}
{{- if gt $initial (int .Values.consensus.replicas) }}
{{- fail (printf "consensus.initialReplicas (%d) exceeds consensus.replicas (%d): the first %d pods bootstrap the cluster, so they must all exist. For a smaller first install set both." $initial (int .Values.consensus.replicas) $initial) }}
{{- end }}
{{- $initial }}
{{- end }}

{{/*
CLUSTER_NODES of the bootstrap members: node-id:host:grpc-port of pods 0 .. initialReplicas-1,
where the node id is the pod name.
*/}}
{{- define "sinkron.consensus.clusterNodes" -}}
{{- $members := list }}
{{- range $i := until (int (include "sinkron.consensus.initialReplicas" .)) }}
{{- $members = append $members (printf "%s-%d:%s:%d" (include "sinkron.consensus.fullname" $) $i (include "sinkron.consensus.podHost" (list $ $i)) (int $.Values.consensus.ports.grpc)) }}
{{- end }}
{{- join "," $members }}
{{- end }}

{{/*
CONSENSUS_NODES of the services: host:grpc-port of every consensus pod, joined ones included.
*/}}
{{- define "sinkron.consensusNodes" -}}
{{- $nodes := list }}
{{- range $i := until (int .Values.consensus.replicas) }}
{{- $nodes = append $nodes (printf "%s:%d" (include "sinkron.consensus.podHost" (list $ $i)) (int $.Values.consensus.ports.grpc)) }}
{{- end }}
{{- join "," $nodes }}
{{- end }}

{{/*
A majority of the consensus replicas: the PodDisruptionBudget's minAvailable.
*/}}
{{- define "sinkron.consensus.quorum" -}}
{{- add (div (int .Values.consensus.replicas) 2) 1 }}
{{- end }}
