/**
 * Allegro's error bodies (reference/README.md "Allegro"; OpenAPI ErrorsHolder and AuthError):
 * API errors are `{"errors":[{code,message,details,path,userMessage}]}`, authentication errors
 * `{"error","error_description"}`.
 */
export interface AllegroError {
    code: string;
    message: string;
    details: string | null;
    path: string | null;
    userMessage: string;
}
export declare function errorsBody(code: string, message: string, extra?: {
    path?: string;
    details?: string;
    userMessage?: string;
}): {
    errors: AllegroError[];
};
export declare function authErrorBody(description: string, error?: string): {
    error: string;
    error_description: string;
};
/** Body of a fault-injected 5xx or 429, in Allegro's shape. */
export declare function faultBody(status: number): {
    errors: AllegroError[];
};
