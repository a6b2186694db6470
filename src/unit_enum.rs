//! Enums of unit variants with wire names: declared once by [`unit_enum!`],
//! read through one shared visitor.
//!
//! serde's derive writes a visitor pair per enum; in the wasm each came to
//! about 1.3 KB per enum and input reader. [`unit_enum!`] implements the
//! same thing once: the same `deserialize_enum` call, the same accepted
//! forms and the same messages (`unknown variant `x`, expected one of ...`).
//! Its `Serialize` makes the derive's one call (`serialize_unit_variant`).

use std::fmt;

use serde::de::{self, Deserializer, EnumAccess, Unexpected, VariantAccess, Visitor};

/// The variant `names` (wire names, in declaration order) of enum `name`,
/// read the way serde's derive reads them; `values` are the variants in the
/// same order.
pub(crate) fn deserialize<'de, D: Deserializer<'de>, T: Copy>(
    deserializer: D,
    name: &'static str,
    names: &'static [&'static str],
    values: &[T],
) -> Result<T, D::Error> {
    let index = deserializer.deserialize_enum(name, names, EnumVisitor { name, names })?;
    values
        .get(index)
        .copied()
        .ok_or_else(|| de::Error::unknown_variant("", names))
}

struct EnumVisitor {
    name: &'static str,
    names: &'static [&'static str],
}

impl<'de> Visitor<'de> for EnumVisitor {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "enum {}", self.name)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<usize, A::Error> {
        let (index, variant) = data.variant_seed(VariantSeed { names: self.names })?;
        variant.unit_variant()?;
        Ok(index)
    }
}

/// A variant identifier, as its index in `names`.
struct VariantSeed {
    names: &'static [&'static str],
}

impl<'de> de::DeserializeSeed<'de> for VariantSeed {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

/// serde's `expected` text for an out-of-range variant index.
struct IndexRange(usize);

impl de::Expected for IndexRange {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "variant index 0 <= i < {}", self.0)
    }
}

impl<'de> Visitor<'de> for VariantSeed {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("variant identifier")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<usize, E> {
        match usize::try_from(v) {
            Ok(i) if i < self.names.len() => Ok(i),
            _ => Err(E::invalid_value(
                Unexpected::Unsigned(v),
                &IndexRange(self.names.len()),
            )),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
        self.names
            .iter()
            .position(|n| *n == v)
            .ok_or_else(|| E::unknown_variant(v, self.names))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<usize, E> {
        self.names
            .iter()
            .position(|n| n.as_bytes() == v)
            .ok_or_else(|| E::unknown_variant(&String::from_utf8_lossy(v), self.names))
    }
}

/// An enum of unit variants declared with its wire names, each written
/// once: the enum (its attributes and derives as given), `as_str`, and a
/// `Serialize` and `Deserialize` that read and write those names the way
/// serde's derive with `rename_all` would.
///
/// ```ignore
/// unit_enum! {
///     /// Whether the provider accepts PKCE.
///     #[derive(Debug, Clone, Copy, PartialEq, Eq)]
///     pub enum Pkce {
///         Required = "required",
///         Supported = "supported",
///     }
/// }
/// ```
///
/// The enum must be `Copy`. Each variant keeps its own attributes (docs,
/// `#[default]`); the `= "name"` is its wire name, not a discriminant.
macro_rules! unit_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $ty:ident {
            $($(#[$variant_meta:meta])* $variant:ident = $name:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $ty {
            $($(#[$variant_meta])* $variant),+
        }

        impl $ty {
            /// The wire name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_unit_variant(stringify!($ty), *self as u32, self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::unit_enum::deserialize(
                    deserializer,
                    stringify!($ty),
                    &[$($name),+],
                    &[$($ty::$variant),+],
                )
            }
        }
    };
}
pub(crate) use unit_enum;

#[cfg(test)]
mod tests;
