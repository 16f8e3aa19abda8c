import Hummingbird

/// Turns the router's own refusals (an unknown route, a method a route does
/// not take) into OpenAI-style error bodies, which every OpenAI client can
/// report; the gateway's routes already answer that way.
struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            let message =
                error.status == .notFound
                ? "no route \(request.method) \(request.uri.path)" : "\(request.method) \(request.uri.path): \(error.status.reasonPhrase)"
            return GatewayError(error.status, message).response
        }
    }
}
