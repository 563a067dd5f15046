// PLACEHOLDER, written by hand until the generator emits the event table:
// `cargo xtask codegen` will replace this file with the one `events!`
// invocation it writes from the `webhooks` of the API description (where
// both customer events carry `crate::types::CustomerEventV1`). Until then
// both use `CustomerV1`, the type the fragment already has.

crate::webhooks::events! {
    /// Fired when a new customer is created in the system. The event includes customer profile details, verification status, and initial compliance screening outcome.
    "customer.created.v1" => CustomerCreatedV1(crate::types::CustomerV1),
    /// Triggered when there are important updates to a customer's profile or status. This includes changes in verification status, updated compliance checks, modified risk ratings, or changes to customer information.
    "customer.event.v1" => CustomerEventV1(crate::types::CustomerV1),
}
