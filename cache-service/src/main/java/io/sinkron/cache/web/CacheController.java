package io.sinkron.cache.web;

import io.sinkron.cache.CacheRead;
import io.sinkron.cache.CacheStats;
import io.sinkron.cache.CoherentCache;
import io.sinkron.cache.home.DirectoryEntry;
import io.sinkron.cache.near.LineState;
import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.ServletWebRequest;

/** The cache's REST API, as the original design specified it. */
@RestController
@RequestMapping(produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "cache", description = "Coherent near-cache reads and write-through writes")
public class CacheController {

    static final String X_CACHE = "X-Cache";
    static final String PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON_VALUE;
    static final String X_CACHE_STATE = "X-Cache-State";

    private final CoherentCache cache;
    private final CacheRequests requests;

    public CacheController(CoherentCache cache, CacheRequests requests) {
        this.cache = cache;
        this.requests = requests;
    }

    @GetMapping("/cache/{key}")
    @Operation(summary = "Read a key, from this instance's near cache when it holds a valid line")
    @ApiResponse(
            responseCode = "200",
            description = "The value",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON_VALUE,
                            schema = @Schema(implementation = ValueResponse.class)),
            headers = {
                @Header(name = "ETag", description = "\"<version>\"", schema = @Schema(type = "string")),
                @Header(
                        name = X_CACHE,
                        description = "HIT if served from the near cache, MISS if from the home",
                        schema =
                                @Schema(
                                        type = "string",
                                        allowableValues = {"HIT", "MISS"})),
                @Header(
                        name = X_CACHE_STATE,
                        description = "This instance's MESI line state after the read; INVALID when the value"
                                + " could not be cached (a write of the key is pending, or the instance has no"
                                + " valid lease)",
                        schema =
                                @Schema(
                                        type = "string",
                                        allowableValues = {"MODIFIED", "EXCLUSIVE", "SHARED", "INVALID"}))
            })
    @ApiResponse(
            responseCode = "404",
            description = "No such key",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ProblemDetail.class)))
    public void get(@PathVariable String key, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        CacheRead read = cache.get(requests.key(key));
        String etag = "\"" + read.version() + "\"";
        response.setHeader(X_CACHE, read.hit() ? "HIT" : "MISS");
        response.setHeader(X_CACHE_STATE, read.state().name());
        // Conditional GETs are answered as Spring MVC answers them for a ResponseEntity with an ETag
        // (304, or 412 for If-Match); the check is skipped when the request has no condition.
        if (conditional(request) && new ServletWebRequest(request, response).checkNotModified(etag)) {
            return;
        }
        response.setHeader(HttpHeaders.ETAG, etag);
        write(response, new ValueResponse(read.key(), read.value(), read.version()).json());
    }

    @PutMapping(path = "/cache/{key}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Write a key; returns once every other instance dropped its copy or lost its lease",
            description = "With If-Match: \"<version>\" the write happens only if the key is at that version"
                    + " (compare-and-set); If-Match: * writes only an existing key.")
    @Parameter(
            name = "If-Match",
            in = ParameterIn.HEADER,
            description = "\"<version>\" as returned in ETag, or *",
            schema = @Schema(type = "string"))
    @ApiResponse(
            responseCode = "200",
            description = "Written; this instance now holds the key as MODIFIED",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON_VALUE,
                            schema = @Schema(implementation = VersionResponse.class)),
            headers = @Header(name = "ETag", description = "\"<version>\"", schema = @Schema(type = "string")))
    @ApiResponse(
            responseCode = "400",
            description = "Bad key, body, TTL or If-Match",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(
            responseCode = "412",
            description = "If-Match did not match",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(
            responseCode = "413",
            description = "Value over the size limit",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ProblemDetail.class)))
    public void put(
            @PathVariable String key,
            @RequestBody PutRequest body,
            @Parameter(hidden = true) @RequestHeader(name = "If-Match", required = false) String ifMatch,
            HttpServletResponse response)
            throws IOException {
        String checkedKey = requests.key(key);
        var precondition = requests.ifMatch(ifMatch);
        String value = requests.value(body.value());
        long ttl = requests.ttl(body.ttl());
        long version = cache.put(checkedKey, value, ttl, precondition);
        response.setHeader(HttpHeaders.ETAG, "\"" + version + "\"");
        write(response, new VersionResponse(checkedKey, version).json());
    }

    @DeleteMapping("/cache/{key}")
    @Operation(summary = "Delete a key; returns once no instance holds it any more")
    @Parameter(
            name = "If-Match",
            in = ParameterIn.HEADER,
            description = "\"<version>\" as returned in ETag, or *",
            schema = @Schema(type = "string"))
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(
            responseCode = "404",
            description = "No such key",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(
            responseCode = "412",
            description = "If-Match did not match",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ProblemDetail.class)))
    public ResponseEntity<Void> delete(
            @PathVariable String key,
            @Parameter(hidden = true) @RequestHeader(name = "If-Match", required = false) String ifMatch) {
        String checkedKey = requests.key(key);
        cache.delete(checkedKey, requests.ifMatch(ifMatch));
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/cache/{key}/state")
    @Operation(summary = "The directory's entry for a key: which instances hold it, in which MESI state")
    @ApiResponse(responseCode = "200", description = "The key's version and holders")
    @ApiResponse(
            responseCode = "404",
            description = "No such key",
            content = @Content(mediaType = PROBLEM_JSON, schema = @Schema(implementation = ProblemDetail.class)))
    public StateResponse state(@PathVariable String key) {
        String checkedKey = requests.key(key);
        DirectoryEntry entry = cache.directory(checkedKey);
        return new StateResponse(
                checkedKey,
                entry.version(),
                entry.holders().stream()
                        .map(holder -> new StateResponse.Holder(
                                holder.instanceId(), holder.state().name()))
                        .toList());
    }

    @GetMapping("/cache/stats")
    @Operation(summary = "This instance's near-cache statistics")
    public StatsResponse stats() {
        CacheStats stats = cache.stats();
        return new StatsResponse(
                stats.instanceId(),
                stats.size(),
                stats.capacity(),
                stats.hits(),
                stats.misses(),
                stats.hitRatio(),
                stats.evictions(),
                stats.invalidationsReceived(),
                new StatsResponse.States(
                        stats.states().get(LineState.MODIFIED),
                        stats.states().get(LineState.EXCLUSIVE),
                        stats.states().get(LineState.SHARED)));
    }

    private static boolean conditional(HttpServletRequest request) {
        return request.getHeader(HttpHeaders.IF_NONE_MATCH) != null
                || request.getHeader(HttpHeaders.IF_MATCH) != null
                || request.getHeader(HttpHeaders.IF_MODIFIED_SINCE) != null
                || request.getHeader(HttpHeaders.IF_UNMODIFIED_SINCE) != null;
    }

    /**
     * Writes a JSON body rendered beforehand, with its length: no message converter, no content
     * negotiation beyond the mapping's {@code produces}, no chunked encoding.
     */
    private static void write(HttpServletResponse response, byte[] json) throws IOException {
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setContentLength(json.length);
        response.getOutputStream().write(json);
    }

    /** {@code /cache/} names the empty key, which is not a valid key. */
    @Hidden
    @RequestMapping("/cache/")
    public void emptyKey() {
        requests.key("");
    }
}
