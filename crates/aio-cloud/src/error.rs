//! Neutron's failures as the engine's kinds.

use aio_engine::ProviderError;
use aio_neutron::NeutronError;

/// `error` as a provider error: what never reached Neutron is
/// `unreachable`, Neutron's 409 a `conflict`, the rest `failed`.
pub(crate) fn api(error: NeutronError) -> ProviderError {
    match error.status() {
        None => ProviderError::unreachable(error.to_string()),
        Some(409) => ProviderError::conflict(error.to_string()),
        Some(_) => ProviderError::failed(error.to_string()),
    }
}
