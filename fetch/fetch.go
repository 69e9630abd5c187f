// Package fetch downloads the document a moderator names by URL for
// /add-source, refusing private and local addresses (checked at every dial,
// so DNS tricks and redirects cannot reach them), with size, time and
// redirect limits and a content-type check. It knows nothing of Discord or
// of the corpus: it returns bytes and what kind of document they are.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strings"
	"syscall"
	"time"
)

// Errors from Fetcher.Fetch that callers branch on. Their texts are safe to
// show to the user who asked for the fetch.
var (
	// ErrBadURL means the link is not an absolute http(s) URL.
	ErrBadURL = errors.New("the link must be a plain http:// or https:// address")
	// ErrBlockedAddress means the host is on a loopback, private,
	// link-local or otherwise non-public network.
	ErrBlockedAddress = errors.New("that address is on a private or local network, which the bot does not fetch")
	// ErrTooLarge means the document exceeds Options.MaxBytes.
	ErrTooLarge = errors.New("the document is larger than the size limit")
	// ErrUnsupportedType means the document is not HTML, plain text,
	// Markdown or PDF.
	ErrUnsupportedType = errors.New("the link is not an HTML page, plain text, Markdown or a PDF")
	// ErrTooManyRedirects means the server redirected more than
	// maxRedirects times.
	ErrTooManyRedirects = errors.New("the link redirects too many times")
	// ErrBadStatus means the server answered with a non-2xx status.
	ErrBadStatus = errors.New("the server did not return the document")
	// ErrUnreachable means the site could not be reached: its name does
	// not resolve, or nothing answers at its address.
	ErrUnreachable = errors.New("the site could not be reached")
	// ErrTimeout means the site did not send the whole document within
	// Options.Timeout.
	ErrTimeout = errors.New("the site took too long to send the document")
)

// Error is a failed fetch. Kind is one of the Err* values above; Detail
// says more, in words safe to show the moderator who gave the link (an
// HTTP status, the host that does not resolve, the limit that was hit);
// Err is the underlying cause, if any. errors.Is matches Kind and the
// cause.
type Error struct {
	// URL is the link, with any password redacted.
	URL    string
	Kind   error
	Detail string
	Err    error
}

// Error implements error: "fetch URL: kind (detail): cause".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("fetch")
	if e.URL != "" {
		b.WriteString(" " + e.URL)
	}
	b.WriteString(": " + e.Kind.Error())
	if e.Detail != "" {
		b.WriteString(" (" + e.Detail + ")")
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Defaults for Options' zero values.
const (
	defaultFetchTimeout  = 20 * time.Second
	defaultFetchMaxBytes = 10 << 20
	maxRedirects         = 5
	fetchUserAgent       = "missionbot/1.0 (+/add-source)"
)

// extensions maps the accepted media types to file extensions.
var extensions = map[string]string{
	"text/html":       ".html",
	"text/plain":      ".txt",
	"text/markdown":   ".md",
	"text/x-markdown": ".md",
	"application/pdf": ".pdf",
}

// Options configures a Fetcher. The zero value is usable.
type Options struct {
	// Timeout bounds the whole fetch, redirects and body included;
	// 0 means 20 seconds.
	Timeout time.Duration
	// MaxBytes is the largest accepted document; 0 means 10 MiB. A larger
	// one is an error, never silently truncated.
	MaxBytes int64
	// AllowPrivate permits loopback and private addresses; for tests and
	// deployments that deliberately index an intranet.
	AllowPrivate bool
	// Client replaces the built-in client, whose dialer refuses
	// non-public addresses. A replacement's transport must make that
	// check itself; Fetch still refuses literal non-public IPs in URLs
	// (unless AllowPrivate) and applies its redirect policy.
	Client *http.Client
}

// Fetcher downloads documents for /add-source without letting a user reach
// the bot's own network: every address is checked when it is dialled, so
// DNS names that resolve (or re-resolve) to private addresses and
// redirects to them are refused too. It is safe for concurrent use.
type Fetcher struct {
	timeout  time.Duration
	maxBytes int64
	client   *http.Client
	// allowed reports whether an address may be contacted.
	allowed func(netip.Addr) bool
}

// New returns a Fetcher configured by opts.
func New(opts Options) *Fetcher {
	f := &Fetcher{timeout: opts.Timeout, maxBytes: opts.MaxBytes, allowed: isPublicAddr}
	if f.timeout <= 0 {
		f.timeout = defaultFetchTimeout
	}
	if f.maxBytes <= 0 {
		f.maxBytes = defaultFetchMaxBytes
	}
	if opts.AllowPrivate {
		f.allowed = func(netip.Addr) bool { return true }
	}
	var c http.Client
	if opts.Client != nil {
		c = *opts.Client
	} else {
		c.Transport = f.transport()
	}
	c.CheckRedirect = f.checkRedirect
	f.client = &c
	return f
}

// transport returns an HTTP transport whose dialer refuses addresses that
// f.allowed rejects, and which ignores proxy settings (a proxy would dial
// on our behalf, bypassing the check).
func (f *Fetcher) transport() *http.Transport {
	d := &net.Dialer{
		Timeout: 10 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			return f.checkDialAddr(address)
		},
	}
	return &http.Transport{
		Proxy:                  nil,
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  15 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConns:           10,
		IdleConnTimeout:        30 * time.Second,
	}
}

// checkDialAddr checks the resolved "ip:port" the dialer is about to use.
func (f *Fetcher) checkDialAddr(address string) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return &Error{Kind: ErrBlockedAddress, Detail: address}
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !f.allowed(ip) {
		return &Error{Kind: ErrBlockedAddress, Detail: host}
	}
	return nil
}

// checkURL validates a URL before it is requested: http(s) only, no
// credentials, and no literal non-public IP.
func (f *Fetcher) checkURL(u *url.URL) error {
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return &Error{Kind: ErrBadURL}
	}
	if u.User != nil {
		return &Error{Kind: ErrBadURL, Detail: "links with a user name or password are not accepted"}
	}
	host := strings.TrimSuffix(u.Hostname(), ".")
	if ip, err := netip.ParseAddr(host); err == nil && !f.allowed(ip) {
		return &Error{Kind: ErrBlockedAddress, Detail: host}
	}
	return nil
}

// checkRedirect limits redirects and checks each target.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return &Error{Kind: ErrTooManyRedirects, Detail: fmt.Sprintf("more than %d", maxRedirects)}
	}
	return f.checkURL(req.URL)
}

// Document is a downloaded document.
type Document struct {
	Data []byte
	// ContentType is the media type, without parameters.
	ContentType string
	// Ext is the file extension for ContentType, with the dot: ".html",
	// ".txt", ".md" or ".pdf".
	Ext string
	// Name is a name for it taken from the final URL's path (its last
	// element without extension), or the host when the path has none.
	Name string
	// URL is the address the document came from, after redirects.
	URL string
}

// Fetch downloads rawURL. Every error is an *Error whose Kind is one of
// ErrBadURL, ErrBlockedAddress, ErrTooManyRedirects, ErrBadStatus,
// ErrUnreachable, ErrTimeout, ErrTooLarge and ErrUnsupportedType; when
// ctx itself ends, the context's error comes back instead.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (Document, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return Document{}, &Error{Kind: ErrBadURL}
	}
	fail := func(e error) (Document, error) {
		if fe := (*Error)(nil); errors.As(e, &fe) {
			c := *fe
			c.URL = u.Redacted()
			return Document{}, &c
		}
		return Document{}, fmt.Errorf("fetch %s: %w", u.Redacted(), e)
	}
	if err := f.checkURL(u); err != nil {
		return fail(err)
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fail(&Error{Kind: ErrBadURL})
	}
	req.Header.Set("User-Agent", fetchUserAgent)
	req.Header.Set("Accept", "text/html, text/markdown, text/plain, application/pdf;q=0.9, */*;q=0.1")
	resp, err := f.client.Do(req)
	if err != nil {
		return fail(f.classify(parent, err))
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fail(&Error{Kind: ErrBadStatus, Detail: "HTTP " + resp.Status})
	}
	if resp.ContentLength > f.maxBytes {
		return fail(&Error{Kind: ErrTooLarge, Detail: fmt.Sprintf("%d bytes, limit %d", resp.ContentLength, f.maxBytes)})
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBytes+1))
	if err != nil {
		return fail(f.classify(parent, err))
	}
	if int64(len(data)) > f.maxBytes {
		return fail(&Error{Kind: ErrTooLarge, Detail: fmt.Sprintf("limit %d bytes", f.maxBytes)})
	}
	final := resp.Request.URL
	ct, ext, err := contentType(resp.Header.Get("Content-Type"), data, final.Path)
	if err != nil {
		return fail(err)
	}
	name := strings.TrimSuffix(path.Base(final.Path), path.Ext(final.Path))
	if name == "" || name == "/" || name == "." {
		name = final.Hostname()
	}
	return Document{Data: data, ContentType: ct, Ext: ext, Name: name, URL: final.Redacted()}, nil
}

// classify turns a transport error into an *Error: the kind the client's
// checks gave (a refused redirect or address), a timeout of the fetch's
// own deadline, or a site that cannot be reached. parent is the caller's
// context: when it ended, its error is returned as it is.
func (f *Fetcher) classify(parent context.Context, err error) error {
	if perr := parent.Err(); perr != nil {
		return context.Cause(parent)
	}
	// *url.Error's "Get \"<url>\":" prefix would repeat the URL unredacted.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return &Error{Kind: ErrTimeout, Detail: fmt.Sprintf("limit %s", f.timeout), Err: err}
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		detail := "cannot look up " + dns.Name
		if dns.IsNotFound {
			detail = "no such host " + dns.Name
		}
		return &Error{Kind: ErrUnreachable, Detail: detail, Err: err}
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return &Error{Kind: ErrUnreachable, Detail: "nothing answers at its address", Err: err}
	}
	return err
}

// contentType decides the media type from the header, sniffing the data
// when the header is missing or generic, and returns it with its file
// extension.
func contentType(header string, data []byte, urlPath string) (string, string, error) {
	mt, _, err := mime.ParseMediaType(header)
	if err != nil || mt == "" || mt == "application/octet-stream" || mt == "binary/octet-stream" {
		mt, _, _ = mime.ParseMediaType(http.DetectContentType(data))
	}
	mt = strings.ToLower(mt)
	ext, ok := extensions[mt]
	if !ok {
		return "", "", &Error{Kind: ErrUnsupportedType, Detail: "got " + mt}
	}
	if ext == ".txt" {
		switch strings.ToLower(path.Ext(urlPath)) {
		case ".md", ".markdown":
			mt, ext = "text/markdown", ".md"
		}
	}
	return mt, ext, nil
}

// isPublicAddr reports whether ip is a globally routable unicast address:
// not loopback, private (RFC 1918, fc00::/7), link-local, unspecified,
// multicast, shared (CGNAT, 100.64.0.0/10) or otherwise reserved. IPv4
// addresses embedded in IPv6 (mapped, NAT64) are judged as IPv4.
func isPublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.Is6() && nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	}
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() ||
		ip.IsMulticast() || ip.Zone() != "" {
		return false
	}
	for _, p := range reservedPrefixes {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// nat64 is the well-known NAT64 prefix, whose addresses reach the embedded
// IPv4 address.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// reservedPrefixes are non-public ranges that netip's predicates miss.
var reservedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (CGNAT)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("100::/64"),        // discard-only
}
