// Cluster names: "catalog.shop" for a whole service, "catalog.shop.v2" for one version of it.

export function clusterName(service: string, version?: string): string {
  const [namespace, name] = service.split('/');
  return version === undefined ? `${name}.${namespace}` : `${name}.${namespace}.${version}`;
}
