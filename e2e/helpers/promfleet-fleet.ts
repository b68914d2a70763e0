export { eventually, HUB_NAMESPACE, MEMBER_NAMESPACE, startPromfleet, type Promfleet } from '@promfleet/testkit';
