package bot

import (
	"bytes"
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
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Errors from Fetcher.Fetch that callers branch on. Their texts are safe to
// show to the user who asked for the fetch.
var (
	// ErrBadURL means the link is not an absolute http(s) URL.
	ErrBadURL = errors.New("the link must be a plain http:// or https:// address")
	// ErrBlockedAddress means the host is on a loopback, private,
	// link-local or otherwise non-public network.
	ErrBlockedAddress = errors.New("that address is on a private or local network, which the bot does not fetch")
	// ErrTooLarge means the document exceeds FetchOptions.MaxBytes.
	ErrTooLarge = errors.New("the document is larger than the size limit")
	// ErrUnsupportedType means the document is not HTML, plain text,
	// Markdown or PDF.
	ErrUnsupportedType = errors.New("the link is not an HTML page, plain text, Markdown or a PDF")
	// ErrTooManyRedirects means the server redirected more than
	// maxRedirects times.
	ErrTooManyRedirects = errors.New("the link redirects too many times")
	// ErrBadStatus means the server answered with a non-2xx status.
	ErrBadStatus = errors.New("the server did not return the document")
)

// Defaults for FetchOptions' zero values.
const (
	defaultFetchTimeout  = 20 * time.Second
	defaultFetchMaxBytes = 10 << 20
	maxRedirects         = 5
	maxTitle             = 200
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

// FetchOptions configures a Fetcher. The zero value is usable.
type FetchOptions struct {
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

// NewFetcher returns a Fetcher configured by opts.
func NewFetcher(opts FetchOptions) *Fetcher {
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
		return fmt.Errorf("%w: %q", ErrBlockedAddress, address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !f.allowed(ip) {
		return fmt.Errorf("%w (%s)", ErrBlockedAddress, host)
	}
	return nil
}

// checkURL validates a URL before it is requested: http(s) only, no
// credentials, and no literal non-public IP.
func (f *Fetcher) checkURL(u *url.URL) error {
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return ErrBadURL
	}
	if u.User != nil {
		return fmt.Errorf("%w (links with a user name or password are not accepted)", ErrBadURL)
	}
	host := strings.TrimSuffix(u.Hostname(), ".")
	if ip, err := netip.ParseAddr(host); err == nil && !f.allowed(ip) {
		return fmt.Errorf("%w (%s)", ErrBlockedAddress, host)
	}
	return nil
}

// checkRedirect limits redirects and checks each target.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return ErrTooManyRedirects
	}
	return f.checkURL(req.URL)
}

// Fetched is a downloaded document.
type Fetched struct {
	// FileName is a safe name for the corpus folder, with the extension
	// for ContentType.
	FileName string
	Data     []byte
	// ContentType is the media type, without parameters.
	ContentType string
	// Title is the document's own title (HTML <title> or og:title, a
	// Markdown heading, a text file's first line); empty if none.
	Title string
}

// Fetch downloads rawURL. Besides network errors, it returns errors
// wrapping ErrBadURL, ErrBlockedAddress, ErrTooManyRedirects, ErrBadStatus,
// ErrTooLarge and ErrUnsupportedType, and the context's error on timeout.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (Fetched, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return Fetched{}, fmt.Errorf("fetch: %w", ErrBadURL)
	}
	if err := f.checkURL(u); err != nil {
		return Fetched{}, fmt.Errorf("fetch %s: %w", u.Redacted(), err)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Fetched{}, fmt.Errorf("fetch %s: %w", u.Redacted(), ErrBadURL)
	}
	req.Header.Set("User-Agent", fetchUserAgent)
	req.Header.Set("Accept", "text/html, text/markdown, text/plain, application/pdf;q=0.9, */*;q=0.1")
	resp, err := f.client.Do(req)
	if err != nil {
		return Fetched{}, fmt.Errorf("fetch %s: %w", u.Redacted(), unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Fetched{}, fmt.Errorf("fetch %s: %w (HTTP %s)", u.Redacted(), ErrBadStatus, resp.Status)
	}
	if resp.ContentLength > f.maxBytes {
		return Fetched{}, fmt.Errorf("fetch %s: %w (%d bytes, limit %d)", u.Redacted(), ErrTooLarge, resp.ContentLength, f.maxBytes)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBytes+1))
	if err != nil {
		return Fetched{}, fmt.Errorf("fetch %s: read body: %w", u.Redacted(), unwrapURLError(err))
	}
	if int64(len(data)) > f.maxBytes {
		return Fetched{}, fmt.Errorf("fetch %s: %w (limit %d bytes)", u.Redacted(), ErrTooLarge, f.maxBytes)
	}
	final := resp.Request.URL
	ct, ext, err := contentType(resp.Header.Get("Content-Type"), data, final.Path)
	if err != nil {
		return Fetched{}, fmt.Errorf("fetch %s: %w", u.Redacted(), err)
	}
	title := documentTitle(ct, data)
	name := title
	if name == "" {
		name = strings.TrimSuffix(path.Base(final.Path), path.Ext(final.Path))
		if name == "" || name == "/" || name == "." {
			name = final.Hostname()
		}
	}
	return Fetched{FileName: FileNameFor(name, ext), Data: data, ContentType: ct, Title: title}, nil
}

// unwrapURLError drops *url.Error's "Get \"<url>\":" prefix, which would
// repeat the URL unredacted, keeping the cause.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
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
		return "", "", fmt.Errorf("%w (got %s)", ErrUnsupportedType, mt)
	}
	if ext == ".txt" {
		switch strings.ToLower(path.Ext(urlPath)) {
		case ".md", ".markdown":
			mt, ext = "text/markdown", ".md"
		}
	}
	return mt, ext, nil
}

// documentTitle extracts a title from the document, or returns "".
func documentTitle(ct string, data []byte) string {
	var t string
	switch ct {
	case "text/html":
		t = htmlTitle(data)
	case "text/markdown", "text/x-markdown":
		for _, line := range strings.SplitN(string(data), "\n", 50) {
			if h, ok := strings.CutPrefix(strings.TrimSpace(line), "# "); ok {
				t = h
				break
			}
		}
	case "text/plain":
		for _, line := range strings.SplitN(string(data), "\n", 20) {
			if line = strings.TrimSpace(line); line != "" {
				if utf8.RuneCountInString(line) <= maxTitle {
					t = line
				}
				break
			}
		}
	}
	if !utf8.ValidString(t) {
		return ""
	}
	return truncate(strings.Join(strings.Fields(t), " "), maxTitle)
}

// htmlTitle returns a page's og:title, else its <title>, else "".
func htmlTitle(data []byte) string {
	z := html.NewTokenizer(bytes.NewReader(data))
	var title string
	inTitle := false
	for {
		switch z.Next() {
		case html.ErrorToken:
			return title
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "title":
				inTitle = title == ""
			case "meta":
				var prop, content string
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					switch string(k) {
					case "property", "name":
						prop = string(v)
					case "content":
						content = string(v)
					}
				}
				if prop == "og:title" && strings.TrimSpace(content) != "" {
					return content
				}
			case "body":
				if title != "" {
					return title
				}
			}
		case html.TextToken:
			if inTitle {
				title += string(z.Text())
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "title" {
				inTitle = false
			}
		}
	}
}

// FileNameFor returns a safe file name made from title: lower-case ASCII
// letters, digits and single hyphens, at most 60 characters, "document"
// when nothing usable remains, followed by ext (a leading dot is added;
// anything but letters and digits is dropped from it).
func FileNameFor(title, ext string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(title) {
		r = foldLatin(r)
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			hyphen = false
		} else if !hyphen && b.Len() > 0 && (unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || r > unicode.MaxASCII) {
			b.WriteByte('-')
			hyphen = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	slug := strings.Trim(b.String(), "-")
	if slug == "" {
		slug = "document"
	}
	switch slug {
	case "con", "prn", "aux", "nul", "com1", "lpt1":
		slug += "-document" // reserved device names on Windows
	}
	var e strings.Builder
	for _, r := range strings.ToLower(ext) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			e.WriteRune(r)
		}
	}
	if e.Len() == 0 {
		return slug
	}
	return slug + "." + e.String()
}

// foldLatin maps common accented Latin letters to their base letter, so
// "Haïti" becomes "haiti" rather than "ha-ti".
func foldLatin(r rune) rune {
	const from, to = "àáâãäåçèéêëìíîïñòóôõöøùúûüýÿ", "aaaaaaceeeeiiiinoooooouuuuyy"
	if i := strings.IndexRune(from, r); i >= 0 {
		return rune(to[utf8.RuneCountInString(from[:i])])
	}
	return r
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
