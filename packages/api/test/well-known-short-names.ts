/**
 * Short names of widely installed CRDs, read from each project's source (kubebuilder
 * `+kubebuilder:resource:shortName=` markers or the CRD manifests), so promfleet's own short names
 * can be checked against them. kubectl resolves a short name to whichever resource claims it
 * first: sharing one with a CRD installed beside promfleet would make `kubectl get X` list the
 * other kind. The built-in resources are checked against a real API server's discovery instead
 * (crds.int.test.ts).
 */
export const WELL_KNOWN_SHORT_NAMES: Readonly<Record<string, readonly string[]>> = {
  // prometheus-operator/prometheus-operator pkg/apis/monitoring/{v1,v1alpha1,v1beta1}/*_types.go
  // (ThanosRuler's is `ruler`; `ttr` is not in its source).
  'prometheus-operator': ['am', 'amcfg', 'pmon', 'prb', 'prom', 'promagent', 'promrule', 'ruler', 'scfg', 'smon'],
  // cert-manager/cert-manager pkg/apis/certmanager/v1/types_*.go
  'cert-manager': ['cert', 'certs', 'cr', 'crs', 'iss', 'ciss'],
  // argoproj/argo-cd pkg/apis/application/v1alpha1/types.go, applicationset_types.go, app_project_types.go
  'Argo CD': ['app', 'apps', 'appset', 'appsets', 'appproj', 'appprojs'],
  // argoproj/argo-workflows pkg/apis/workflow/v1alpha1/*_types.go
  'Argo Workflows': ['wf', 'wftmpl', 'cwf', 'cronwf', 'clusterwftmpl', 'cwft', 'wfat', 'wfeb', 'wfebs', 'wfts'],
  // argoproj/argo-rollouts pkg/apis/rollouts/v1alpha1/types.go, analysis_types.go, experiment_types.go
  'Argo Rollouts': ['ro', 'at', 'cat', 'ar', 'exp'],
  // karmada-io/karmada pkg/apis/{policy,work,networking,autoscaling,config}/v1alpha1/*_types.go
  Karmada: ['pp', 'cpp', 'op', 'cop', 'rb', 'crb', 'wk', 'mci', 'mcs', 'fhpa', 'cronfhpa', 'ric', 'svcex', 'svcim'],
  // kubernetes-sigs/cluster-api api/core/*/*_types.go, api/controlplane/kubeadm/*/kubeadm_control_plane_types.go
  'Cluster API': ['cl', 'cc', 'ma', 'ms', 'md', 'mp', 'mhc', 'mhcs', 'kcp', 'ext'],
  // open-cluster-management-io/api cluster/v1/types.go, cluster/v1beta2/types_managedclusterset*.go, addon/v1alpha1/*_types.go, work/v1alpha1/*_types.go
  'Open Cluster Management': ['mcl', 'mcls', 'mclset', 'mclsets', 'mclsetbinding', 'mclsetbindings', 'mca', 'mcas', 'cma', 'cmas', 'mwrs'],
  // Azure/fleet apis/cluster/v1/membercluster_types.go (its MemberCluster is `cluster`), apis/placement/v1/*_types.go
  'Azure Fleet (KubeFleet)': [
    'cluster',
    'imc',
    'crp',
    'rp',
    'crb',
    'rb',
    'rs',
    'crs',
    'crps',
    'crpe',
    'crpdb',
    'areq',
    'careq',
    'sps',
    'csps',
    'sur',
    'csur',
    'sus',
    'csus',
  ],
  // openshift/api machineconfiguration/v1/types.go (MachineConfig is `mc`), config/v1/types_*.go, machine/v1beta1/types_machinehealthcheck.go
  OpenShift: ['mc', 'mcp', 'co', 'ctrcfg', 'idms', 'itms', 'mhc', 'mhcs'],
  // tektoncd/pipeline config/300-crds/300-pipelinerun.yaml (PipelineRun is `pr`), 300-taskrun.yaml
  Tekton: ['pr', 'prs', 'tr', 'trs'],
  // istio/api networking/v1alpha3/*.proto, security/v1beta1/*.proto, telemetry/v1alpha1/telemetry.proto
  Istio: ['vs', 'dr', 'gw', 'se', 'we', 'wg', 'pa', 'ra', 'ap', 'telemetry'],
  // knative/serving config/core/300-resources/*.yaml
  'Knative Serving': ['ksvc', 'kservice', 'rt', 'config', 'cfg', 'rev', 'kpa', 'pa', 'dm', 'kcert', 'king', 'kingress', 'sks'],
  // fluxcd/source-controller, helm-controller, kustomize-controller api/**/*_types.go
  Flux: ['gitrepo', 'helmrepo', 'ocirepo', 'hc', 'ea', 'hr', 'ks'],
  // kedacore/keda apis/keda/v1alpha1/*_types.go
  KEDA: ['so', 'sj', 'ta', 'triggerauth', 'cta', 'clustertriggerauth'],
  // crossplane/crossplane apis/apiextensions/*/*_types.go, apis/ops/v1alpha1/*_types.go
  Crossplane: ['xrd', 'xrds', 'comp', 'comprev', 'envcfg', 'mrd', 'mrds', 'mrap', 'ops', 'cronops', 'watchops'],
  // VictoriaMetrics/operator api/operator/v1beta1/vmalertmanager_types.go
  'VictoriaMetrics operator': ['vma'],
};
