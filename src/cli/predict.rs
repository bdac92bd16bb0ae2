//! `sweep predict`: class probabilities of phrases under a run's saved weights, by the
//! training code's own forward pass.

use super::{PredictArgs, print};
use crate::error::Result;
use crate::model::Workspace;
use crate::runner::RecordStore;

pub fn execute(args: &PredictArgs) -> Result<i32> {
    let store = RecordStore::existing(&args.results)?;
    let saved = store.load_weights(&args.run)?;
    let mut ws = Workspace::default();
    let mut out = String::new();
    for text in &args.texts {
        let words = saved.encode(text);
        let unknown = words.iter().filter(|w| w.is_none()).count();
        saved.model.forward(&words, 0, &mut ws);
        let probs: Vec<String> = saved
            .classes
            .iter()
            .zip(ws.probs())
            .map(|(c, p)| format!("{c}: {p:.6}"))
            .collect();
        out += &format!("{text}\t{}", probs.join("\t"));
        if unknown > 0 {
            out += &format!("\t({unknown} unknown word(s) read as zero input)");
        }
        out += "\n";
    }
    print(&out)?;
    Ok(0)
}
