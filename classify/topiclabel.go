package classify

import "strings"

// topicLabels are the words for the built-in topics whose id joins two
// subjects (rules/topics.txt); other ids read well with their underscores
// made spaces.
var topicLabels = map[string]string{
	"trial_justice":           "trial and justice",
	"extradition_deportation": "extradition or deportation",
	"activism_campaign":       "activism and campaigns",
}

// TopicLabel returns a topic id as words for people to read:
// "detention_conditions" is "detention conditions".
func TopicLabel(id string) string {
	if l, ok := topicLabels[id]; ok {
		return l
	}
	return strings.ReplaceAll(id, "_", " ")
}
