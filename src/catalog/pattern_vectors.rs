//! Values the catalog's `validation_pattern`s must accept and refuse, shared
//! by the host tests (`regex-lite`) and the wasm tests (the host's
//! `RegExp`, `tests/common`), so both engines are held to the same answers.

/// Refused by every pattern of a templated part (host injection).
pub const HOSTILE: &[&str] = &[
    "evil.com#",
    "evil.com/",
    "a@evil.com",
    "evil.com:443",
    "a b",
    "a%2fb",
    "a?b",
    "",
    "a\nb",
    "a\0b",
    "acme\n",
    "\u{e9}vil.com",
    "\u{0430}cme",
];

/// `(provider, field, accepted, refused)`.
pub const VECTORS: &[(&str, &str, &[&str], &[&str])] = &[
    (
        "outlook",
        "tenant",
        &[
            "common",
            "organizations",
            "consumers",
            "contoso.onmicrosoft.com",
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
        ],
        &[
            "evil.com/x",
            "72F988BF-86F1-41AF-91AB-2D7CD011DB47x",
            "common.",
            "-contoso.com",
        ],
    ),
    (
        "salesforce",
        "login_host",
        &[
            "login.salesforce.com",
            "test.salesforce.com",
            "acme.my.salesforce.com",
            "acme--uat.sandbox.my.salesforce.com",
            "acme-dev-ed.develop.my.salesforce.com",
            "curious-otter-ab12cd.trailblaze.my.salesforce.com",
        ],
        &[
            "evil.com",
            "login.salesforce.com.evil.com",
            "acme.my.salesforce.com/x",
            "acme.evil.my.salesforce.com",
            ".develop.my.salesforce.com",
            "acme.my.salesforce.com:443",
        ],
    ),
    (
        "bamboohr",
        "companyDomain",
        &["mycompany", "my-company2"],
        &["evil.com#", "a.b", "evil.com/", "a@b", "-acme"],
    ),
    (
        "typeform",
        "api_host",
        &["api.typeform.com", "api.eu.typeform.com", "api.typeform.eu"],
        &[
            "api.eu.typeform.com.evil.com",
            "api.typeform.com.",
            "apixtypeform.com",
        ],
    ),
    (
        "typeform",
        "oauth_host",
        &["api.typeform.com", "api.typeform.eu"],
        &["api.eu.typeform.com"],
    ),
];
