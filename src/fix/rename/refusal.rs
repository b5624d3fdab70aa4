//! Why a rename (or the retirement of a binding) is refused: each reason a
//! variant, its message the reason as the fix would give it.

/// Why renaming `old` to `new` (or retiring `old`) could change what the
/// file does, or cannot be worked out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the file does not parse")]
    DoesNotParse,
    #[error("the parser could not run")]
    ParserCouldNotRun,
    #[error("the import was not found")]
    ImportNotFound,
    #[error("`{0}` is imported again in the import's scope")]
    ImportedAgain(String),
    #[error("`{0}` is bound again in this file")]
    BoundAgain(String),
    #[error("`{0}` is already bound in the import's scope")]
    NewBoundInScope(String),
    #[error("`{0}` is still used in this file")]
    StillUsed(String),
    #[error("`{new}` is already bound where a use of `{old}` would see it")]
    NewSeenByUse { new: String, old: String },
    #[error("a `global {0}` statement uses it")]
    GlobalUses(String),
    #[error("two of its mentions overlap (a name listed twice in `__all__`?)")]
    Overlap,
    #[error("`__all__` spells `{0}` in a way that cannot be rewritten")]
    AllSpelling(String),
    #[error("`global {0}` already names the new name")]
    GlobalNamesNew(String),
    #[error("a `nonlocal` statement names it")]
    Nonlocal,
    #[error("a star import may bind any name")]
    StarImport,
    #[error("a string spells `{0}`")]
    StringSpells(String),
    #[error("`{0}()` sees names by their spelling")]
    SeesSpelling(String),
}
