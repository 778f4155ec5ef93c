package model

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Empty is the emulator's reset between load runs. It deletes what PurgeQueue deletes (visible,
// delayed and in-flight messages) but, unlike PurgeQueue, may run again within 60 s
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html),
// and it forgets a FIFO queue's deduplication ids, which otherwise drop a message with the same
// id for 5 minutes
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
func TestEmpty(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		queue     string
		attrs     map[string]string
		fill      func(t *testing.T, m *Model, q string)
		wantEmpty int
	}{
		{
			name: "visible, in-flight and delayed messages", queue: "orders",
			fill: func(t *testing.T, m *Model, q string) {
				send(t, m, q, "a")
				send(t, m, q, "b")
				_, err := m.Receive(context.Background(), q, ReceiveInput{MaxMessages: 1})
				require.NoError(t, err)
				delay := 30
				_, err = m.Send(q, SendInput{Body: "c", DelaySeconds: &delay})
				require.NoError(t, err)
			},
			wantEmpty: 3,
		},
		{
			name: "a FIFO queue takes the same deduplication id again", queue: "orders.fifo",
			attrs: map[string]string{"FifoQueue": "true"},
			fill: func(t *testing.T, m *Model, q string) {
				_, err := m.Send(q, SendInput{Body: "a", GroupID: "store-1", DeduplicationID: "order-1"})
				require.NoError(t, err)
			},
			wantEmpty: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, _ := newModel(t)
			create(t, m, tt.queue, tt.attrs)
			tt.fill(t, m, tt.queue)
			assert.Equal(t, tt.wantEmpty, m.Empty())
			st, err := m.Stats(tt.queue)
			require.NoError(t, err)
			assert.Zero(t, st.Visible+st.InFlight+st.Delayed)
			assert.Zero(t, m.Empty(), "again at once: nothing left, and no 60 s wait")
			require.NoError(t, m.PurgeQueue(tt.queue), "Empty does not start PurgeQueue's minute")

			// What was sent before is forgotten: the same message is accepted and delivered again.
			in := SendInput{Body: "a"}
			if tt.attrs["FifoQueue"] == "true" {
				in.GroupID, in.DeduplicationID = "store-1", "order-1"
			}
			_, err = m.Send(tt.queue, in)
			require.NoError(t, err)
			st, err = m.Stats(tt.queue)
			require.NoError(t, err)
			assert.Equal(t, 1, st.Visible)
		})
	}
}
