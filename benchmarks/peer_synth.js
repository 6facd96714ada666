// The peer generator of the benchmarks: cdk8s synthesizes, for every service and environment
// of a model (benchmarks/peer.py writes it as JSON), the Kubernetes objects pipelinegen's charts
// render: Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicy.
// Usage: node peer_synth.js INPUT.json OUTDIR
"use strict";
const fs = require("fs");
const { App, Chart, ApiObject } = require("cdk8s");

const [input, outdir] = process.argv.slice(2);
const model = JSON.parse(fs.readFileSync(input, "utf8"));
const app = new App({ outdir, outputFileExtension: ".yaml" });

for (const svc of model.services) {
  for (const env of svc.environments) {
    const chart = new Chart(app, `${svc.name}-${env.name}`, { namespace: env.namespace });
    const labels = { "app.kubernetes.io/name": svc.name, "app.kubernetes.io/instance": env.name };
    const container = {
      name: svc.name,
      image: `${model.registry}/${svc.name}:${svc.version}`,
      ports: [{ name: "http", containerPort: svc.port }],
      env: Object.entries(env.env).map(([name, value]) => ({ name, value })),
      readinessProbe: { httpGet: { path: svc.health, port: "http" } },
      livenessProbe: { httpGet: { path: svc.health, port: "http" } },
      resources: env.resources,
      securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true,
                         allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    };
    new ApiObject(chart, "deployment", {
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: svc.name, labels },
      spec: { replicas: env.replicas, selector: { matchLabels: labels },
              template: { metadata: { labels }, spec: { containers: [container] } } },
    });
    new ApiObject(chart, "service", {
      apiVersion: "v1", kind: "Service", metadata: { name: svc.name, labels },
      spec: { selector: labels, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    });
    if (env.autoscaling) {
      new ApiObject(chart, "hpa", {
        apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler",
        metadata: { name: svc.name, labels },
        spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: svc.name },
                minReplicas: env.autoscaling.min, maxReplicas: env.autoscaling.max,
                metrics: [{ type: "Resource", resource: { name: "cpu",
                  target: { type: "Utilization", averageUtilization: env.autoscaling.cpu } } }] },
      });
    }
    new ApiObject(chart, "pdb", {
      apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: svc.name, labels },
      spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
    });
    new ApiObject(chart, "networkpolicy", {
      apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy",
      metadata: { name: svc.name, labels },
      spec: {
        podSelector: { matchLabels: labels }, policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: svc.callers.map((c) => ({ podSelector: { matchLabels: {
          "app.kubernetes.io/name": c } } })), ports: [{ port: svc.port }] }],
        egress: [{ ports: [{ port: 53, protocol: "UDP" }] },
                 ...svc.calls.map((c) => ({ to: [{ podSelector: { matchLabels: {
                   "app.kubernetes.io/name": c.name } } }], ports: [{ port: c.port }] }))],
      },
    });
  }
}
app.synth();
