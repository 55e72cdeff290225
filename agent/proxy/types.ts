// types: the core/v1 Service and Endpoints fields the proxy reads. Only what computeRules uses is
// typed; the rest passes through as part of KubeObject. (They belong in shared/api/ once a
// service.ts lands there; until then the proxy keeps its own narrow view.)
import type { KubeObject, ObjectMeta } from '../../shared/api/meta.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ServicePort {
  name?: string;
  protocol?: Protocol;
  port: number;
  targetPort?: number | string; // a number, or the name of a container port
  nodePort?: number; // 30000–32767, for NodePort and LoadBalancer services
}

export interface ServiceSpec {
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  clusterIP?: string; // "None" for a headless service
  ports?: ServicePort[];
  selector?: Record<string, string>;
  sessionAffinity?: 'None' | 'ClientIP';
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  externalTrafficPolicy?: 'Cluster' | 'Local';
  externalIPs?: string[];
  [extra: string]: any;
}

export interface Service extends KubeObject {
  metadata: ObjectMeta;
  spec: ServiceSpec;
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] }; [extra: string]: any };
}

export interface EndpointAddress {
  ip: string;
  nodeName?: string;
  hostname?: string;
  targetRef?: any;
}

// EndpointPort.name is the name of the service port it serves (Kubernetes' endpoints controller
// copies the service port's name); Bramble also accepts the targetPort's name here.
export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: Protocol;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

export interface Endpoints extends KubeObject {
  metadata: ObjectMeta;
  subsets?: EndpointSubset[];
}
