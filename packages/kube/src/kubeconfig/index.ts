export * from './kubeconfig.ts';
