//! The connectors server: the Base44 wire protocol over the vault and the
//! OAuth engine.
