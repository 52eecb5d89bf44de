# %% reshape_and_normalize
def reshape_and_normalize(images):
    """Return the images with a channel axis, shape (n, 28, 28, 1), scaled to [0, 1]."""
    # YOUR CODE HERE
    scaled = images[..., np.newaxis] / 255.0
    return scaled
# %% EarlyStoppingCallback
class EarlyStoppingCallback(tf.keras.callbacks.Callback):
    """Stops training once the epoch's training accuracy reaches 99.5%."""

    def on_epoch_end(self, epoch, logs=None):
        # YOUR CODE HERE
        accuracy = (logs or {}).get("accuracy")
        done = accuracy is not None and accuracy >= .995
        if done:
            print("\nReached 99.5% accuracy so cancelling training!")
        self.model.stop_training = done
# %% convolutional_model
def convolutional_model():
    """Return a compiled Conv2D + MaxPooling2D classifier for 28x28x1 images with 10 softmax outputs."""
    # YOUR CODE HERE
    from tensorflow.keras import layers

    model = tf.keras.Sequential([
        layers.Input((28, 28, 1)),
        layers.Conv2D(64, (3, 3), padding="valid", activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(64, "relu"),
        layers.Dense(10, "softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
