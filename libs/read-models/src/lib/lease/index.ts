// The lease lives in @berth/event-store; re-exported for the services that take it from here.
export { AdvisoryLease, type AdvisoryLeaseOptions } from '@berth/event-store';
