// Free text in API inputs (messages, reasons, names a user types): what the database can store
// as it was sent. The rule is the one the proxy protocol applies to what proxies send, since both
// end in the same database; it is defined there, once.

export { storedText as text } from '@weft/proxy-protocol';
