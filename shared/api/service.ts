// service: the core/v1 Service and Endpoints fields Bramble reads outside the API server (the
// agent's proxy and DNS, the MQTT payloads). Only what those use is typed; the rest passes
// through as part of KubeObject.
import type { KubeObject, ObjectMeta } from './meta.js';

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
