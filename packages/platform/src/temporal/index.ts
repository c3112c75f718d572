/**
 * The Temporal payload codec and data converter (`@lab/platform/temporal`): apart from the main
 * entry, so services that never talk to Temporal (the gateway, the assistants service) do not
 * load Temporal's protobuf definitions.
 */
export * from '../crypto/payload-codec';
