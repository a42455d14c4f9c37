// The synthetic mesh of the control-plane benchmark: services in a ring, each calling the next
// two, each with a v1/v2 route, and a fixed number of instances per service.

export interface SyntheticMesh {
  readonly yaml: string;
  readonly services: readonly string[];
  /** The services whose proxies route to `service`: the ones a change to its route affects. */
  callersOf(service: string): string[];
}

export function syntheticMesh(serviceCount: number): SyntheticMesh {
  const services = Array.from({ length: serviceCount }, (_, i) => `svc-${i}`);
  const next = (i: number, step: number) => services[(i + step) % serviceCount] as string;
  const docs = [
    `apiVersion: weft.dev/v1alpha1
kind: Mesh
metadata: { name: default }
spec: { trustDomain: weft.local, access: { defaultAction: allow } }`,
  ];
  services.forEach((name, i) => {
    docs.push(`apiVersion: weft.dev/v1alpha1
kind: Service
metadata: { name: ${name}, namespace: bench }
spec:
  ports: [{ port: 8080 }]
  versions: [{ name: v1 }, { name: v2 }]
  upstreams: [{ service: { name: ${next(i, 1)} } }, { service: { name: ${next(i, 2)} } }]`);
    docs.push(`apiVersion: weft.dev/v1alpha1
kind: HTTPRoute
metadata: { name: ${name}, namespace: bench }
spec:
  parentRefs: [{ name: ${name} }]
  rules:
    - backendRefs: [{ name: ${name}, version: v1, weight: 90 }, { name: ${name}, version: v2, weight: 10 }]`);
  });
  return {
    yaml: docs.join('\n---\n'),
    services,
    callersOf: (service) => {
      const index = services.indexOf(service);
      return [next(index, serviceCount - 1), next(index, serviceCount - 2)];
    },
  };
}
