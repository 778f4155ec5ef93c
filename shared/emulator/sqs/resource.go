package sqs

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// CloudFormation resource types the service provisions.
const (
	TypeQueue       = "AWS::SQS::Queue"
	TypeQueuePolicy = "AWS::SQS::QueuePolicy"
)

// Types lists the CloudFormation types the service provisions.
func (s *Service) Types() []string { return []string{TypeQueue, TypeQueuePolicy} }

// queueProps are AWS::SQS::Queue's properties.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queue.html
type queueProps struct {
	QueueName                     string `json:"QueueName"`
	FifoQueue                     *bool  `json:"FifoQueue"`
	ContentBasedDeduplication     *bool  `json:"ContentBasedDeduplication"`
	DeduplicationScope            string `json:"DeduplicationScope"`
	FifoThroughputLimit           string `json:"FifoThroughputLimit"`
	VisibilityTimeout             *int   `json:"VisibilityTimeout"`
	MessageRetentionPeriod        *int   `json:"MessageRetentionPeriod"`
	DelaySeconds                  *int   `json:"DelaySeconds"`
	ReceiveMessageWaitTimeSeconds *int   `json:"ReceiveMessageWaitTimeSeconds"`
	MaximumMessageSize            *int   `json:"MaximumMessageSize"`
	RedrivePolicy                 any    `json:"RedrivePolicy"`
	RedriveAllowPolicy            any    `json:"RedriveAllowPolicy"`
	KmsMasterKeyId                string `json:"KmsMasterKeyId"`
	KmsDataKeyReusePeriodSeconds  *int   `json:"KmsDataKeyReusePeriodSeconds"`
	SqsManagedSseEnabled          *bool  `json:"SqsManagedSseEnabled"`
	Tags                          []struct {
		Key   string `json:"Key"`
		Value string `json:"Value"`
	} `json:"Tags"`
}

// queuePolicyProps are AWS::SQS::QueuePolicy's; the policy is accepted and not enforced.
type queuePolicyProps struct {
	PolicyDocument any      `json:"PolicyDocument"`
	Queues         []string `json:"Queues"`
}

// Provision creates a queue. Ref is the queue URL; GetAtt offers Arn, QueueName and QueueUrl.
func (s *Service) Provision(_ context.Context, res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	switch res.Type {
	case TypeQueuePolicy:
		var p queuePolicyProps
		if err := cfn.Decode(res, props, &p); err != nil {
			return sim.Physical{}, err
		}
		return sim.Physical{Ref: res.LogicalID, Attrs: map[string]any{"Id": res.LogicalID}}, nil
	case TypeQueue:
	default:
		return sim.Physical{}, fmt.Errorf("resource %s (%s): the SQS service does not provision this type", res.LogicalID, res.Type)
	}
	var p queueProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	fifo := p.FifoQueue != nil && *p.FifoQueue
	name := p.QueueName
	if name == "" {
		if fifo {
			name = s.env.PhysicalName(res.LogicalID, 80-len(".fifo")) + ".fifo"
		} else {
			name = s.env.PhysicalName(res.LogicalID, 80)
		}
	}
	attrs := map[string]string{}
	setInt := func(k string, v *int) {
		if v != nil {
			attrs[k] = strconv.Itoa(*v)
		}
	}
	setBool := func(k string, v *bool) {
		if v != nil {
			attrs[k] = strconv.FormatBool(*v)
		}
	}
	setBool("FifoQueue", p.FifoQueue)
	setBool("ContentBasedDeduplication", p.ContentBasedDeduplication)
	setBool("SqsManagedSseEnabled", p.SqsManagedSseEnabled)
	setInt("VisibilityTimeout", p.VisibilityTimeout)
	setInt("MessageRetentionPeriod", p.MessageRetentionPeriod)
	setInt("DelaySeconds", p.DelaySeconds)
	setInt("ReceiveMessageWaitTimeSeconds", p.ReceiveMessageWaitTimeSeconds)
	setInt("MaximumMessageSize", p.MaximumMessageSize)
	setInt("KmsDataKeyReusePeriodSeconds", p.KmsDataKeyReusePeriodSeconds)
	if p.DeduplicationScope != "" {
		attrs["DeduplicationScope"] = p.DeduplicationScope
	}
	if p.FifoThroughputLimit != "" {
		attrs["FifoThroughputLimit"] = p.FifoThroughputLimit
	}
	if p.KmsMasterKeyId != "" {
		attrs["KmsMasterKeyId"] = p.KmsMasterKeyId
	}
	for k, v := range map[string]any{"RedrivePolicy": p.RedrivePolicy, "RedriveAllowPolicy": p.RedriveAllowPolicy} {
		switch x := v.(type) {
		case nil:
		case string:
			attrs[k] = x
		default:
			b, err := json.Marshal(x)
			if err != nil {
				return sim.Physical{}, fmt.Errorf("resource %s (%s): property %q: %w", res.LogicalID, res.Type, k, err)
			}
			attrs[k] = string(b)
		}
	}
	tags := map[string]string{}
	for _, t := range p.Tags {
		tags[t.Key] = t.Value
	}
	if err := s.model.CreateQueue(name, attrs, tags); err != nil {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): create queue %s: %w", res.LogicalID, res.Type, name, err)
	}
	s.mu.Lock()
	s.logical[name] = res.LogicalID
	s.mu.Unlock()
	u := s.QueueURL(name)
	return sim.Physical{Ref: u, Attrs: map[string]any{"Arn": s.model.ARN(name), "QueueName": name, "QueueUrl": u}}, nil
}

// redriveTarget is a RedrivePolicy's deadLetterTargetArn.
func redriveTarget(policy string) string {
	var p struct {
		Target string `json:"deadLetterTargetArn"`
	}
	_ = json.Unmarshal([]byte(policy), &p)
	return p.Target
}
