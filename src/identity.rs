//! Who the app user is: HS256 user tokens (JWT) verified with the
//! algorithm pinned, and the `Bearer` header form.
