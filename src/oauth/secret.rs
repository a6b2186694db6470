//! Secrets that never print: their `Debug` is `Name([redacted])`, they have
//! no `Display`, `Serialize` or `PartialEq`, and they are wiped on drop. The
//! value is read with `.secret()`, so every use is visible in the code.

use zeroize::{Zeroize, ZeroizeOnDrop};

macro_rules! secret {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Zeroize, ZeroizeOnDrop)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }

            /// The secret value. Never log it.
            pub fn secret(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret!(
    /// An OAuth client secret.
    ClientSecret
);
secret!(
    /// An access token.
    AccessToken
);
secret!(
    /// A refresh token.
    RefreshToken
);
secret!(
    /// An authorization code from the callback.
    AuthorizationCode
);
secret!(
    /// A PKCE code verifier (RFC 7636).
    PkceVerifier
);
secret!(
    /// The sealed `state` sent to the provider.
    SealedState
);

#[cfg(test)]
mod tests;
