// Package catalog is the catalog-seeder function, a CloudFormation custom resource: on Create
// and Update it writes the menu and the 60 store profiles from shared/bakery into the Catalog
// table, where the PlaceOrder workflow and the GET /menu integration read them without code.
//
// Items written (pk / sk):
//
//	ITEM#<id>   / PRICE     name, category, prices (currency → minor units), par (a standard store's daily quantity)
//	MENU        / <id>      name, category, prices: what GET /menu queries
//	STORE#<id>  / PROFILE   city, country, currency, tax_bp, zone, scale_percent, tz_offset ("+0100"), region (home)
//
// It answers CloudFormation by PUTting the response document to the event's pre-signed
// ResponseURL through the aws.Config's HTTP client, as the CDK's provider framework would, but
// without its extra Node.js functions.
//
// Limitations: Delete writes nothing (the table goes with the stack); tz_offset is the offset at
// seeding time, and the daily-closer refreshes it every hour so daylight saving changes land.
package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// PhysicalID is the custom resource's physical ID: there is one catalog per stack.
const PhysicalID = "emilys-pastries-catalog"

// HTTPDoer sends a request; aws.Config's HTTPClient is one.
type HTTPDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// Seeder is the catalog-seeder handler.
type Seeder struct {
	db      ddb.API
	catalog string
	hc      HTTPDoer
	now     func() time.Time
}

// NewSeeder builds the handler from the function's environment.
func NewSeeder(_ context.Context, cfg aws.Config, getenv func(string) string) (*Seeder, error) {
	catalog, err := ddb.Name(getenv, ddb.EnvCatalog)
	if err != nil {
		return nil, err
	}
	var hc HTTPDoer = http.DefaultClient
	if cfg.HTTPClient != nil {
		hc = cfg.HTTPClient
	}
	return &Seeder{db: dynamodb.NewFromConfig(cfg), catalog: catalog, hc: hc, now: time.Now}, nil
}

// Handle seeds the catalog and answers CloudFormation. It returns an error only when the answer
// itself could not be sent: CloudFormation would otherwise wait an hour for it.
func (s *Seeder) Handle(ctx context.Context, ev cfn.Event) error {
	resp := cfn.NewResponse(&ev)
	resp.PhysicalResourceID = PhysicalID
	var err error
	if ev.RequestType != cfn.RequestDelete {
		var n int
		n, err = s.Seed(ctx)
		resp.Data = map[string]any{"Items": n}
	}
	if err != nil {
		resp.Status, resp.Reason = cfn.StatusFailed, err.Error()
	} else {
		resp.Status = cfn.StatusSuccess
	}
	return s.answer(ctx, ev.ResponseURL, resp)
}

// answer PUTs the response document, with no content type, as the pre-signed URL requires.
func (s *Seeder) answer(ctx context.Context, url string, resp *cfn.Response) error {
	body, err := json.Marshal(resp)
	if err != nil {
		return fmt.Errorf("encode the custom resource response: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("answer CloudFormation: %w", err)
	}
	req.ContentLength = int64(len(body))
	r, err := s.hc.Do(req)
	if err != nil {
		return fmt.Errorf("answer CloudFormation: %w", err)
	}
	defer r.Body.Close()
	if r.StatusCode/100 != 2 {
		return fmt.Errorf("answer CloudFormation: the response URL answered %s", r.Status)
	}
	return nil
}

// Items is every catalog item at time now, as attribute maps.
func Items(now time.Time) []map[string]types.AttributeValue {
	standard := bakery.Store{ID: "standard"}
	var out []map[string]types.AttributeValue
	prices := func(it bakery.Item) types.AttributeValue {
		m := map[string]types.AttributeValue{}
		for cur, p := range it.Prices {
			m[cur] = ddb.N(p)
		}
		return &types.AttributeValueMemberM{Value: m}
	}
	for _, it := range bakery.Menu() {
		out = append(out,
			map[string]types.AttributeValue{"pk": ddb.S("ITEM#" + it.ID), "sk": ddb.S("PRICE"), "name": ddb.S(it.Name),
				"category": ddb.S(it.Category), "prices": prices(it), "par": ddb.N(int64(bakery.ParLevel(standard, it)))},
			map[string]types.AttributeValue{"pk": ddb.S("MENU"), "sk": ddb.S(it.ID), "name": ddb.S(it.Name),
				"category": ddb.S(it.Category), "prices": prices(it)})
	}
	croissant, _ := bakery.ItemByID("croissant")
	base := int64(bakery.ParLevel(standard, croissant))
	for _, st := range bakery.Stores() {
		out = append(out, map[string]types.AttributeValue{"pk": ddb.S("STORE#" + st.ID), "sk": ddb.S("PROFILE"),
			"city": ddb.S(st.City), "country": ddb.S(st.Country), "currency": ddb.S(st.Currency), "tax_bp": ddb.N(int64(st.TaxBasisPoints)),
			"zone": ddb.S(st.TimeZone), "scale_percent": ddb.N(int64(bakery.ParLevel(st, croissant)) * 100 / base),
			"tz_offset": ddb.S(TZOffset(st.Location(), now)), "region": ddb.S(st.Region)})
	}
	return out
}

// Seed writes every item, 25 at a time, and returns how many it wrote.
func (s *Seeder) Seed(ctx context.Context) (int, error) {
	items := Items(s.now())
	for start := 0; start < len(items); start += 25 {
		var reqs []types.WriteRequest
		for _, it := range items[start:min(start+25, len(items))] {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
		}
		// Unprocessed items come back under throttling; write them again until none are left.
		for len(reqs) > 0 {
			out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{s.catalog: reqs}})
			if err != nil {
				return start, fmt.Errorf("seed catalog %s: %w", s.catalog, err)
			}
			reqs = out.UnprocessedItems[s.catalog]
		}
	}
	return len(items), nil
}

// TZOffset is loc's UTC offset at t as JSONata's $fromMillis wants it: "+0100", "-0500".
func TZOffset(loc *time.Location, t time.Time) string {
	_, off := t.In(loc).Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return fmt.Sprintf("%s%02d%02d", sign, off/3600, off%3600/60)
}
