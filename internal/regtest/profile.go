package regtest

// Profile is how a public registry behaves, as its operator documents it
// and as it answers today: where its API and token service live, what its
// challenges announce, where blobs are redirected, what it counts. A
// Hosted (StartProfile) serves a real registry with that behaviour under
// the real host names, in a World.
type Profile struct {
	Name     string // "Docker Hub"
	Domain   string // the registry as a person names it in a reference ("docker.io")
	Registry string // the API host ("registry-1.docker.io")
	// Aliases are further names of the API host (Docker Hub's
	// index.docker.io, which go-containerregistry uses).
	Aliases []string
	Repo    string // a repository as a person names it ("library/app")
	// Prefix is added to the repository on Registry when Front redirects
	// there ("k8s-artifacts-prod/images/").
	Prefix string
	// Front, when set, is the host a person names: it answers /v2/ and
	// redirects every repository request to Registry (registry.k8s.io).
	Front string

	Realm     string // Bearer token endpoint; "" = anonymous access, no challenge
	Service   string // service= in the challenge
	PingScope string // scope= in the /v2/ challenge, when the registry sends one

	// Storage is the host blob downloads are redirected to, with a signed,
	// expiring URL that refuses an Authorization header; "" = blobs are
	// served by Registry. StorageCode is the redirect's status.
	Storage     string
	StorageCode int

	// RateLimit is the ratelimit-limit (per RateWindow seconds) announced on
	// manifest responses; each manifest GET counts, HEAD does not. 0 = none.
	RateLimit  int
	RateWindow int
}

// Host is the host a person's reference names: Front, else Registry.
func (p Profile) Host() string {
	if p.Front != "" {
		return p.Front
	}
	return p.Registry
}

// Ref returns the reference a person types for tag in p's repository.
func (p Profile) Ref(tag string) string { return p.Domain + "/" + p.Repo + ":" + tag }

// Profiles lists the public registries regscope is tested against.
func Profiles() []Profile {
	return []Profile{
		{Name: "Docker Hub", Domain: "docker.io", Registry: "registry-1.docker.io", Aliases: []string{"index.docker.io"}, Repo: "library/app",
			Realm: "https://auth.docker.io/token", Service: "registry.docker.io",
			Storage: "production.cloudflare.docker.com", StorageCode: 307, RateLimit: 100, RateWindow: 21600},
		{Name: "GitHub Container Registry", Domain: "ghcr.io", Registry: "ghcr.io", Repo: "regscope/app",
			Realm: "https://ghcr.io/token", Service: "ghcr.io",
			Storage: "pkg-containers.githubusercontent.com", StorageCode: 307},
		{Name: "Quay", Domain: "quay.io", Registry: "quay.io", Repo: "regscope/app",
			Realm: "https://quay.io/v2/auth", Service: "quay.io",
			Storage: "cdn01.quay.io", StorageCode: 302},
		{Name: "ECR Public", Domain: "public.ecr.aws", Registry: "public.ecr.aws", Repo: "regscope/app",
			Realm: "https://public.ecr.aws/token/", Service: "public.ecr.aws", PingScope: "aws",
			Storage: "d2glxqk2uabbnd.cloudfront.net", StorageCode: 307},
		{Name: "GitLab", Domain: "registry.gitlab.com", Registry: "registry.gitlab.com", Repo: "regscope/app",
			Realm: "https://gitlab.com/jwt/auth", Service: "container_registry",
			Storage: "cdn.registry.gitlab-static.net", StorageCode: 307},
		{Name: "Harbor", Domain: "demo.goharbor.io", Registry: "demo.goharbor.io", Repo: "library/app",
			Realm: "https://demo.goharbor.io/service/token", Service: "harbor-registry"},
		{Name: "Azure Container Registry", Domain: "regscope.azurecr.io", Registry: "regscope.azurecr.io", Repo: "app",
			Realm: "https://regscope.azurecr.io/oauth2/token", Service: "regscope.azurecr.io",
			Storage: "regscopeeus.blob.core.windows.net", StorageCode: 307},
		{Name: "Google Artifact Registry", Domain: "us-docker.pkg.dev", Registry: "us-docker.pkg.dev", Repo: "regscope/images/app",
			Realm: "https://us-docker.pkg.dev/v2/token", Service: "us-docker.pkg.dev",
			Storage: "storage.googleapis.com", StorageCode: 302},
		{Name: "registry.k8s.io", Domain: "registry.k8s.io", Front: "registry.k8s.io", Registry: "us-west1-docker.pkg.dev",
			Repo: "pause", Prefix: "k8s-artifacts-prod/images/",
			Storage: "storage.googleapis.com", StorageCode: 302},
	}
}
