package asl

import (
	"bytes"
	"encoding/json"
	"fmt"
)

type duplicate struct{ msg, at string }

// duplicateStates finds state names repeated inside one States object, which decoding into a
// map would silently merge. It returns one problem per repeat.
func duplicateStates(definition []byte) []duplicate {
	d := json.NewDecoder(bytes.NewReader(definition))
	d.UseNumber()
	var problems []duplicate
	var walk func(at string, isStates bool) error
	walk = func(at string, isStates bool) error {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return err
				}
				key, _ := kt.(string)
				if isStates {
					if seen[key] {
						problems = append(problems, duplicate{fmt.Sprintf("Duplicate State name: '%s'", key), at + "/" + key})
					}
					seen[key] = true
				}
				if err := walk(at+"/"+key, key == "States" && !isStates); err != nil {
					return err
				}
			}
			_, err = d.Token()
			return err
		case json.Delim('['):
			for i := 0; d.More(); i++ {
				if err := walk(fmt.Sprintf("%s[%d]", at, i), false); err != nil {
					return err
				}
			}
			_, err = d.Token()
			return err
		}
		return nil
	}
	if err := walk("", false); err != nil {
		return nil
	}
	return problems
}
