package classify

// CountWords returns how many words text has, counted as Classify counts a
// document's text against the minimum words (Rules.SetMinWords): runs of
// letters, digits and combining marks.
func CountWords(text string) int {
	var tk tokenizer
	tk.tokenize(text)
	return len(tk.words)
}
