//! The rule descriptors: one per code, with its text, how to fix it and
//! its default level.

use super::log::{Configuration, Message, MultiformatMessage, Rule, RuleProperties};
use crate::config::Severity;
use crate::diagnostic::Code;

/// What a rule is about, in a sentence or two, and how to fix it (markdown).
struct RuleText {
    description: &'static str,
    fix: &'static str,
}

fn rule_text(code: Code) -> RuleText {
    match code {
        Code::DuplicateDefinition => RuleText {
            description: "A class, struct, enum, trait or type whose name matches a concept's \
                `definition` pattern is defined outside the concept's canonical module. Two \
                definitions of one concept drift apart: callers get different behaviour \
                depending on which one they import.",
            fix: "Delete the duplicate and import the canonical definition instead, or move \
                the behaviour it adds into the canonical module. Test doubles can be \
                sanctioned with the concept's `allow` globs in `rules.toml`.",
        },
        Code::AliasReexport => RuleText {
            description: "A concept is given a second name (`X = Canonical`, \
                `from canon import C as X`, `pub use ... as X`, `pub type X = C`) or a second \
                home (a re-export from a package `__init__`, `__all__`, a shim module, \
                `pub use`). Every extra name or path is one more way to import the concept \
                that has to be kept in sync.",
            fix: "Remove the alias or re-export once its importers use the canonical path \
                (`ssot-audit fix` rewrites those imports), then delete the shim.",
        },
        Code::NoncanonicalImport => RuleText {
            description: "A concept is imported through a path other than its canonical \
                module: a legacy module, a shim, an alias, an `__init__` facade, a relative \
                import that resolves elsewhere, or a `patch(\"...\")` target string.",
            fix: "Import the concept from its canonical module. `ssot-audit fix` applies the \
                safe rewrites; `ssot-audit fix --unsafe-fixes` also renames and rewrites \
                patch targets.",
        },
        Code::UnusedSuppression => RuleText {
            description: "An `ssot: ignore[...]` comment suppresses no violation: the code \
                it names no longer occurs on its line (or in its file).",
            fix: "Delete the suppression comment, or the codes in it that match nothing.",
        },
        Code::InvalidSuppression => RuleText {
            description: "An `ssot: ignore[...]` comment cannot be read: an unknown or missing \
                rule code, or an `ignore-file` below the first 10 lines.",
            fix: "Write `# ssot: ignore[SSOT003] reason` on the violation's line (`//` in \
                Rust), or `# ssot: ignore-file[SSOT001]` in the first 10 lines.",
        },
    }
}

/// The level a rule has unless a concept's severity says otherwise.
fn default_level(code: Code) -> &'static str {
    match code {
        Code::UnusedSuppression => "warning",
        _ => "error",
    }
}

pub(super) fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

pub(super) fn rules() -> Vec<Rule> {
    Code::ALL
        .into_iter()
        .map(|code| {
            let text = rule_text(code);
            let description = collapse_spaces(text.description);
            let fix = collapse_spaces(text.fix);
            Rule {
                id: code.as_str(),
                name: code.rule(),
                short_description: Message::new(code.summary()),
                full_description: Message::new(description.clone()),
                help: MultiformatMessage {
                    text: format!("{description}\n\nHow to fix: {fix}"),
                    markdown: format!(
                        "**{} {}**: {}\n\n{description}\n\n**How to fix:** {fix}",
                        code.as_str(),
                        code.rule(),
                        code.summary()
                    ),
                },
                default_configuration: Configuration {
                    level: default_level(code),
                },
                properties: RuleProperties {
                    tags: ["maintainability", "single-source-of-truth"],
                },
            }
        })
        .collect()
}

/// The rule texts are wrapped in the source with `\` continuations.
fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
