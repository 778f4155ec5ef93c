package dynamodb

import "github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb/model"

// Snapshot records the items of every table (model.Model.Snapshot); the emulator takes one
// once its stage is provisioned and seeded.
func (s *Service) Snapshot() *model.Snapshot { return s.model.Snapshot() }

// Restore puts back the items of a snapshot and gives every table full capacity again
// (model.Model.Restore): the emulator's admin reset. It is not a DynamoDB operation and is not
// replicated to a global table's other regions.
func (s *Service) Restore(snap *model.Snapshot) (removed, restored int) {
	return s.model.Restore(snap)
}
